// The simulator behind the Backend interface: the same ScenarioRun shape as
// the kernel backend, snapshots in the kernel backend's raw formats.
import { describe, expect, it } from "vitest";
import { captureWorldState, isProbeCommand, SimBackend } from "../../../src/backends/sim/sim-backend.js";
import { NETWORK_COMMANDS } from "../../../src/commands/registry.js";
import { createWorld } from "../../../src/net/core/net-namespace.js";

const FILE = "/virtual/scenario.sh";
const SCENARIO = `ip netns add a
ip link add v0 type veth peer name v1 netns a
ip addr add 10.0.0.1/24 dev v0
ip link set v0 up
ip -n a addr add 10.0.0.2/24 dev v1
ip -n a link set v1 up
ping -c 1 -W 1 10.0.0.2          # expect: reply
ip netns exec a ping -c 1 -W 1 10.0.0.9   # expect: no-reply
`;

describe("SimBackend", () => {
  it("runs a scenario with absolute locations, expectations, and a snapshot after each probe and at the end", async () => {
    const run = await new SimBackend({ files: { [FILE]: SCENARIO } }).run(FILE, { snapshots: true });
    expect(run.backend).toBe("sim");
    expect(run.file).toBe(FILE);
    expect(run.problems).toEqual([]);
    expect(run.commands.map((record) => `${record.location.file}:${record.location.line}`)).toContain(`${FILE}:7`);
    expect(run.expectations.map((expectation) => [expectation.location.line, expectation.ok])).toEqual([[7, true], [8, true]]);
    const snapshots = run.snapshots ?? [];
    expect(snapshots.map((snapshot) => snapshot.after?.location.line ?? "end")).toEqual([7, 8, "end"]);
    expect(snapshots.map((snapshot) => snapshot.after && run.commands[snapshot.after.commandIndex]?.argv[0])).toEqual(["ping", "ping", undefined]);
    const [root, a] = snapshots[2]!.namespaces;
    expect([root?.namespace, a?.namespace]).toEqual(["", "a"]);
    // The raw texts the kernel backend captures: ip -j JSON, iptables-save text.
    expect((JSON.parse(root!.link) as { ifname: string }[]).map((link) => link.ifname)).toEqual(["lo", "v0"]);
    expect((JSON.parse(a!.route) as { dst: string }[]).map((route) => route.dst)).toContain("10.0.0.0/24");
    expect(JSON.parse(root!.neigh)).toEqual([expect.objectContaining({ dst: "10.0.0.2", dev: "v0" })]);
  });

  it("captures iptables-save and conntrack -L through netsim's own commands, or says they are not modelled", () => {
    const [root] = captureWorldState(createWorld());
    for (const [part, tool] of [["iptablesSave", "iptables-save"], ["conntrack", "conntrack"]] as const) {
      if (NETWORK_COMMANDS.has(tool)) expect(root?.unavailable?.[part]).toBeUndefined();
      else expect(root?.unavailable?.[part]).toBe(`${tool} is not modelled yet`);
    }
  });

  it("captures nft's own tables one `nft list table` each, leaving iptables-nft's to iptables-save", async () => {
    const text = `iptables -A INPUT -s 10.0.0.0/8 -j ACCEPT
nft add table inet fz0
nft add chain inet fz0 input '{ type filter hook input priority 0; }'
nft add rule inet fz0 input ip saddr 10.1.0.0/16 counter drop
nft add table ip nat2
`;
    const run = await new SimBackend({ files: { [FILE]: text } }).run(FILE, { snapshots: true });
    expect(run.problems).toEqual([]);
    const [root] = run.snapshots!.at(-1)!.namespaces;
    expect(root?.unavailable?.nftRuleset).toBeUndefined();
    // As nft 1.0.6 lists them on the kernel (ip filter is in iptablesSave instead).
    expect(root?.nftRuleset).toBe(
      "table inet fz0 {\n\tchain input {\n\t\ttype filter hook input priority filter; policy accept;\n\t\tip saddr 10.1.0.0/16 counter packets 0 bytes 0 drop\n\t}\n}\ntable ip nat2 {\n}\n",
    );
    expect(root?.iptablesSave).toContain("-A INPUT -s 10.0.0.0/8 -j ACCEPT");
  });

  it("snapshots after the commands the kernel backend snapshots after: ping and nc connects, not listeners", () => {
    expect(["ping -c 1 10.0.0.1", "nc -z -w 1 10.0.0.1 80", "nc -u -z 10.0.0.1 53", "nc -lk 80", "nc -w 1 -l 80", "nc -kl 80", "ip link"].map((line) => isProbeCommand(line.split(" ")))).toEqual([
      true, true, true, false, false, false, false,
    ]);
  });
});
