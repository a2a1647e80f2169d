import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { rootNamespace } from "../../src/net/core/net-namespace.js";
import { devicesInOrder } from "../../src/model/netns.js";
import { buildWorld, runLine, scenario, ScenarioLineError, splitWords, worldFromScenario } from "../../src/testing/index.js";

describe("testing/scenario", () => {
  it("splits words as bash does for plain lines, and refuses what needs a shell", () => {
    expect(splitWords(`iptables -m comment --comment "two words" -j ACCEPT   # note`)).toEqual(["iptables", "-m", "comment", "--comment", "two words", "-j", "ACCEPT"]);
    expect(splitWords("echo 'a b'\\ c")).toEqual(["echo", "a b c"]);
    expect(() => splitWords("echo 1 > /proc/sys/net/ipv4/ip_forward")).toThrow(ScenarioLineError);
  });

  it("runs lines in namespaces, with the tools' own errors", () => {
    const world = buildWorld(["ip netns add a", "ip netns exec a ip link set lo up"]);
    expect(runLine(world, "ip -n a -br link").stdout).toBe("lo               UNKNOWN        00:00:00:00:00:00 <LOOPBACK,UP,LOWER_UP> \n");
    expect(runLine(world, "ip route add 10.0.0.0/33 dev lo")).toMatchObject({ exitCode: 1, stderr: 'Error: any valid prefix is expected rather than "10.0.0.0/33".\n' });
    expect(() => buildWorld(["ip link set nosuch up"])).toThrow(/Cannot find device "nosuch"/);
  });

  it("hands out a fresh copy of a cached world each time", () => {
    const lines = ["ip link add v0 type veth peer name v1"];
    const first = buildWorld(lines);
    runLine(first, "ip link del v0");
    expect(devicesInOrder(rootNamespace(buildWorld(lines))).map((device) => device.name)).toEqual(["lo", "v1", "v0"]);
  });

  it("prints as the bash it is, for fast-check too", () => {
    const built = scenario(["ip netns add a", "# a comment"]);
    expect(String(built)).toBe("ip netns add a\n# a comment\n");
    expect(fc.stringify(built)).toContain("ip netns add a\n# a comment");
  });

  it("builds worlds from whole bash scenarios through the scenario runner", async () => {
    const { world } = await worldFromScenario("for n in a b; do ip netns add $n; done\n");
    expect([...world.namespaces.values()].map((namespace) => namespace.name)).toEqual(["", "a", "b"]);
    await expect(worldFromScenario("tc qdisc show\n")).rejects.toThrow(/tc/);
  });
});
