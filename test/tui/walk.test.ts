import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { buildWalk, stripComment } from "../../src/tui/walk.js";
import { commandIndex, walkOf } from "./support.js";

describe("a scenario as steps", () => {
  it("has one step per networking command, in order, spelled as the scenario spells it", async () => {
    const walk = await walkOf("01-netns-veth.sh");
    expect(walk.steps.map((step) => step.index)).toEqual(walk.steps.map((_, index) => index));
    expect(walk.steps[0]!.text).toBe("ip netns add wan");
    expect(walk.steps[0]!.record.location.file).toMatch(/lib\/uplink\.sh$/);
    expect(walk.steps.at(-1)!.text).toBe("ip netns exec netns0 ip route");
    const probe = walk.steps[commandIndex(walk, "ip netns exec netns0 ping -c 1 172.18.0.11")]!;
    expect(probe.record.namespace).toBe("netns0");
    expect(probe.record.probe?.outcome).toBe("reply");
    expect(probe.trace?.steps.length).toBeGreaterThan(5);
    expect(probe.expectation).toMatchObject({ expected: "reply", ok: true });
  });

  it("keeps each command's own world: later commands do not change an earlier snapshot", async () => {
    const walk = await walkOf("03-bridge.sh");
    const before = walk.steps[commandIndex(walk, "ip link add br0 type bridge")]!.world;
    const after = walk.steps.at(-1)!.world;
    const root = (world: typeof before) => world.namespaces.get(0)!;
    const names = (world: typeof before) => [...root(world).devices.values()].map((device) => device.name);
    expect(names(before)).toContain("br0");
    const veth0 = (world: typeof before) => [...root(world).devices.values()].find((device) => device.name === "veth0")!;
    expect(veth0(before).addresses).toHaveLength(1);
    expect(veth0(before).masterIndex).toBeUndefined();
    expect(veth0(after).addresses).toHaveLength(0);
    expect(veth0(after).masterIndex).toBeDefined();
    expect(before).not.toBe(after);
    expect(walk.initialWorld.namespaces.size).toBe(1);
  });

  it("includes `echo 1 > /proc/sys/...` and `cat /proc/sys/...` as steps, with the state they set", async () => {
    const walk = await walkOf("07-ip-forward.sh");
    const write = walk.steps[commandIndex(walk, "echo 1 > /proc/sys/net/ipv4/ip_forward")]!;
    expect(write.record.argv).toEqual(["echo", "1", ">", "/proc/sys/net/ipv4/ip_forward"]);
    expect(write.world.namespaces.get(0)!.sysctl.confAll.forwarding).toBe(true);
    expect(walk.steps[write.index - 1]!.world.namespaces.get(0)!.sysctl.confAll.forwarding).toBe(false);
    const read = walk.steps[write.index + 1]!;
    expect(read.text).toBe("cat /proc/sys/net/ipv4/ip_forward");
    expect(read.record.stdout).toBe("1\n");
  });

  it("shows what really ran where the line uses variables", async () => {
    const file = resolve("/virtual/loop.sh");
    const walk = await buildWalk(file, { files: { [file]: "for ns in a b; do\n  ip netns add $ns   # expect: ok\ndone\n" } });
    expect(walk.steps.map((step) => step.text)).toEqual(["ip netns add a", "ip netns add b"]);
    expect(walk.steps.every((step) => step.expectation?.ok)).toBe(true);
  });

  it("strips the trailing comment, not a # inside quotes or a word", () => {
    expect(stripComment("ping -c 1 8.8.8.8   # expect: reply")).toBe("ping -c 1 8.8.8.8");
    expect(stripComment("echo 'a # b' x#y # c")).toBe("echo 'a # b' x#y");
  });
});
