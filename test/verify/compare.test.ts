// compareRuns on hand-made runs: what counts as a divergence, and what does not.
import { describe, expect, it } from "vitest";
import type { CommandRecord, NamespaceState, ScenarioRun, StateSnapshot } from "../../src/scenario/result.js";
import { alignRecords, compareRuns } from "../../src/verify/compare.js";

const FILE = "/s/scenario.sh";

function record(line: number, argv: string, extra: Partial<CommandRecord> = {}): CommandRecord {
  return { location: { file: FILE, line }, callers: [], namespace: "", argv: argv.split(" "), exitCode: 0, stdout: "", stderr: "", ...extra };
}

const LINK = '[{"ifindex":1,"ifname":"lo","flags":["LOOPBACK","UP","LOWER_UP"],"mtu":65536,"operstate":"UNKNOWN","address":"00:00:00:00:00:00"}]';

function state(overrides: Partial<NamespaceState> = {}): NamespaceState {
  return { namespace: "", link: LINK, addr: "[]", route: "[]", neigh: "[]", iptablesSave: "", conntrack: "", ...overrides };
}

function run(backend: "sim" | "kernel", commands: CommandRecord[], snapshots: StateSnapshot[] = []): ScenarioRun {
  return { file: FILE, backend, commands, expectations: [], output: "", exitCode: 0, snapshots };
}

const ping = (line: number, outcome: "reply" | "no-reply", ttl?: number) =>
  record(line, "ping -c 1 10.0.0.2", { exitCode: outcome === "reply" ? 0 : 1, probe: { tool: "ping", outcome, ...(ttl ? { ttl } : {}) } });

describe("compareRuns", () => {
  it("finds nothing in two runs that agree, and counts the probes and state checks", () => {
    const commands = [record(1, "ip netns add a"), ping(2, "reply", 64)];
    const snapshots = [{ after: { commandIndex: 1, location: { file: FILE, line: 2 } }, namespaces: [state()] }, { namespaces: [state()] }];
    const comparison = compareRuns(run("sim", commands, snapshots), run("kernel", commands, snapshots));
    expect(comparison).toMatchObject({ commands: 2, probes: 1, stateChecks: 2, divergences: [], skipped: [] });
  });

  it("reports a probe outcome, a ttl, an exit status and an error text, each with its line", () => {
    const sim = [ping(1, "reply", 64), ping(2, "reply", 64), record(3, "ip route add default via 10.9.9.9", { exitCode: 2, stderr: "Error: Nexthop has invalid gateway.\n" }), record(4, "ip link show nosuch", { exitCode: 1, stderr: 'Device "nosuch" does not exist.\n' })];
    const kernel = [ping(1, "no-reply"), ping(2, "reply", 63), record(3, "ip route add default via 10.9.9.9"), record(4, "ip link show nosuch", { exitCode: 1, stderr: "Cannot find device \"nosuch\"\n" })];
    const divergences = compareRuns(run("sim", sim), run("kernel", kernel)).divergences;
    expect(divergences.map(({ kind, location, sim: simSaid, kernel: kernelSaid }) => [kind, location?.line, simSaid, kernelSaid])).toEqual([
      ["probe-outcome", 1, "reply", "no-reply"],
      ["ttl", 2, "64", "63"],
      ["exit-status", 3, "2: Error: Nexthop has invalid gateway.", "0"],
      ["error-text", 4, 'Device "nosuch" does not exist.', 'Cannot find device "nosuch"'],
    ]);
  });

  it("pairs repeated commands in order, and reports a command that ran on one side only", () => {
    const sim = [ping(5, "reply"), ping(5, "reply"), record(6, "ip link set a up")];
    const kernel = [ping(5, "reply"), ping(5, "no-reply"), record(7, "ip link set a up")];
    expect(alignRecords(sim, kernel)).toEqual({ pairs: [[0, 0], [1, 1]], onlySim: [2], onlyKernel: [2] });
    const kinds = compareRuns(run("sim", sim), run("kernel", kernel)).divergences.map((divergence) => `${divergence.kind}@${divergence.location?.line}`);
    expect(kinds).toEqual(["only-in-sim@6", "only-in-kernel@7", "probe-outcome@5"]);
  });

  it("reports a write the kernel side refused as Read-only file system where the simulator took it, with bash's line", () => {
    const sim = { ...run("sim", []), output: "/s/scenario.sh: line 3: /proc/sys/vm/swappiness: Read-only file system\n" };
    const kernel = {
      ...run("kernel", []),
      output: [
        "/s/scenario.sh: line 2: /etc/hosts: Read-only file system",
        "touch: cannot touch '/etc/x': Read-only file system",
        "/s/scenario.sh: line 3: /proc/sys/vm/swappiness: Read-only file system",
        "",
      ].join("\n"),
    };
    expect(compareRuns(sim, kernel).divergences.map(({ kind, location, sim: simSaid, kernel: kernelSaid }) => [kind, location?.line, simSaid, kernelSaid])).toEqual([
      ["host-write", 2, "ok", "/s/scenario.sh: line 2: /etc/hosts: Read-only file system"],
      ["host-write", undefined, "ok", "touch: cannot touch '/etc/x': Read-only file system"],
    ]);
  });

  it("ignores a kernel-only `ip netns exec` that ran no networking tool, but not a failed one", () => {
    const kernel = [record(1, "ip netns exec a cat /proc/sys/net/ipv4/ip_forward"), record(2, "ip netns exec nosuch ping -c 1 10.0.0.1", { exitCode: 1 })];
    expect(compareRuns(run("sim", []), run("kernel", kernel)).divergences.map((divergence) => divergence.kind)).toEqual(["only-in-kernel"]);
  });

  it("compares normalised state: ifindex and generated MACs do not count, an address does, once however often it repeats", () => {
    const renumbered = LINK.replace('"ifindex":1', '"ifindex":7');
    const withAddress = '[{"ifname":"lo","addr_info":[{"family":"inet","local":"127.0.0.1","prefixlen":8}]}]';
    const after = (commandIndex: number, namespaces: NamespaceState[]) => ({ after: { commandIndex, location: { file: FILE, line: commandIndex + 1 } }, namespaces });
    const commands = [ping(1, "reply"), ping(2, "reply")];
    const sim = run("sim", commands, [after(0, [state()]), after(1, [state()]), { namespaces: [state()] }]);
    const kernel = run("kernel", commands, [after(0, [state({ link: renumbered })]), after(1, [state({ addr: withAddress })]), { namespaces: [state({ addr: withAddress })] }]);
    const comparison = compareRuns(sim, kernel);
    expect(comparison.stateChecks).toBe(3);
    expect(comparison.divergences).toHaveLength(1);
    expect(comparison.divergences[0]).toMatchObject({ kind: "state", location: { line: 2 }, what: "addresses (ip -j addr) in the root namespace after the probe", sim: "(nothing more)", repeated: 1 });
    expect(comparison.divergences[0]?.kernel).toContain('"local":"127.0.0.1"');
  });

  it("skips a state part one backend could not capture, saying why, and never calls it equal", () => {
    const sim = run("sim", [], [{ namespaces: [state({ iptablesSave: "", unavailable: { iptablesSave: "iptables-save is not modelled yet" } })] }]);
    const kernel = run("kernel", [], [{ namespaces: [state({ iptablesSave: "*filter\n:INPUT DROP\nCOMMIT\n" })] }]);
    const comparison = compareRuns(sim, kernel);
    expect(comparison.divergences).toEqual([]);
    expect(comparison.skipped).toEqual(["ruleset (iptables-save): iptables-save is not modelled yet"]);
  });

  it("reports namespaces present on one side only", () => {
    const sim = run("sim", [], [{ namespaces: [state(), state({ namespace: "a" })] }]);
    const kernel = run("kernel", [], [{ namespaces: [state()] }]);
    expect(compareRuns(sim, kernel).divergences).toMatchObject([{ kind: "namespaces", sim: '"" a', kernel: '""' }]);
  });
});
