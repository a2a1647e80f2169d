import { describe, expect, it } from "vitest";
import { ip } from "../../../src/commands/ip/ip.js";
import { rootNamespace } from "../../../src/net/core/net-namespace.js";
import { runCommand, worldAfter } from "../run-command.js";

const error = (stderr: string, exitCode: number) => ({ stdout: "", stderr, exitCode });

describe("ip netns (ip/ipnetns.c)", () => {
  const cases: Array<[string, string, number]> = [
    ["ip netns add n0", 'Cannot create namespace file "/run/netns/n0": File exists\n', 1],
    ["ip netns del nosuch", 'Cannot remove namespace file "/run/netns/nosuch": No such file or directory\n', 1],
    ["ip netns exec nosuch ip link", 'Cannot open network namespace "nosuch": No such file or directory\n', 255],
    ["ip netns pids nosuch", 'Cannot open network namespace "nosuch": No such file or directory\n', 255],
  ];
  for (const [line, stderr, exitCode] of cases) {
    it(`${line} -> exit ${exitCode}`, () => {
      expect(runCommand(ip, line.split(" ").slice(1), worldAfter(ip, ["ip netns add n0"]))).toEqual(error(stderr, exitCode));
    });
  }

  it("lists newest first, with (id: N) once the viewer holds an nsid; list-id and set agree", () => {
    const world = worldAfter(ip, ["ip netns add n0", "ip netns add n1", "ip link add v0 type veth peer name c0", "ip link set c0 netns n1"]);
    expect(runCommand(ip, ["netns"], world).stdout).toBe("n1 (id: 0)\nn0\n");
    expect(runCommand(ip, ["-j", "netns"], world).stdout).toBe('[{"name":"n1","id":0},{"name":"n0"}]\n');
    expect(runCommand(ip, ["netns", "list-id"], world).stdout).toBe("nsid 0 (iproute2 netns name: n1)\n");
    expect(runCommand(ip, ["netns", "set", "n1", "7"], world)).toEqual(error("Error: Peer netns already has a nsid assigned.\n", 2));
    expect(runCommand(ip, ["netns", "set", "n0", "abc"], world)).toEqual(error('Error: argument "abc" is wrong: Invalid "netnsid" value\n', 255));
    expect(runCommand(ip, ["netns", "set", "n0", "0"], world)).toEqual(error("Error: The specified nsid is already used.\n", 2));
    expect(runCommand(ip, ["netns", "set", "n0", "7"], world).exitCode).toBe(0);
    expect(runCommand(ip, ["netns"], world).stdout).toBe("n1 (id: 0)\nn0 (id: 7)\n");
    expect(runCommand(ip, ["netns", "list-id"], world, "n1").stdout).toBe("nsid 0 \n");
  });

  it("moving a device allocates, in the namespace it leaves, an nsid for the one it enters", () => {
    const world = worldAfter(ip, ["ip netns add n0", "ip netns add n1", "ip link add v0 type veth peer name c0", "ip link set c0 netns n1", "ip link set v0 netns n0"]);
    expect(runCommand(ip, ["netns"], world).stdout).toBe("n1 (id: 0)\nn0 (id: 1)\n");
    runCommand(ip, ["netns", "del", "n0"], world);
    expect(runCommand(ip, ["netns", "list-id"], world).stdout).toBe("nsid 0 (iproute2 netns name: n1)\n");
  });

  it("-all netns exec runs the command in every namespace, newest first, each under a `netns: NAME` heading", () => {
    const world = worldAfter(ip, ["ip netns add n0", "ip netns add n1"]);
    const outcome = ip(["-all", "netns", "exec", "ip", "-br", "link"], { world, namespace: rootNamespace(world), tracing: false, stdin: "", commandText: "" });
    expect(outcome).toMatchObject({ kind: "exec", argv: ["bash", "-c", "printf '\\nnetns: %s\\n' n1; ip netns exec n1 ip -br link\nprintf '\\nnetns: %s\\n' n0; ip netns exec n0 ip -br link\n:"] });
  });

  it("identify names the namespace a command runs in (empty in the root)", () => {
    const world = worldAfter(ip, ["ip netns add n0"]);
    expect(runCommand(ip, ["netns", "identify"], world).stdout).toBe("\n");
    expect(runCommand(ip, ["netns", "identify"], world, "n0").stdout).toBe("n0\n");
  });
});
