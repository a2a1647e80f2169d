// The kernel backend against the real kernel, in its sandbox. Skipped, with
// the reason in the name, where it cannot run (not root, tools missing).
import { beforeAll, describe, expect, it } from "vitest";
import { checkKernelBackendAvailable, KernelBackend } from "../../../src/backends/kernel/kernel-backend.js";
import { normalisePingOutput } from "../../../src/backends/kernel/normalise.js";
import type { CommandRecord, ScenarioRun } from "../../../src/scenario/result.js";
import { fixture, plainBashOutput } from "./sandbox-helpers.js";

const availability = checkKernelBackendAvailable();
const skipReason = availability.ok ? "" : ` — SKIPPED: ${availability.reason}`;

const where = (location: { file: string; line: number }) => `${location.file.split("/").pop()}:${location.line}`;
const summary = (record: CommandRecord) => ({
  at: where(record.location),
  callers: record.callers.map(where),
  namespace: record.namespace,
  argv: record.argv.join(" "),
  exitCode: record.exitCode,
  outcome: record.probe?.outcome,
});

describe.skipIf(!availability.ok)(`KernelBackend on the real kernel${skipReason}`, () => {
  let main: ScenarioRun;
  beforeAll(async () => {
    main = await new KernelBackend().run(fixture("main.sh"));
  });

  it("records every leaf networking command in execution order, with where it stands", () => {
    expect(main.commands.map(summary)).toEqual([
      { at: "prelude.sh:3", callers: ["prelude.sh:6", "main.sh:2"], namespace: "", argv: "ip netns add client", exitCode: 0, outcome: undefined },
      { at: "prelude.sh:4", callers: ["prelude.sh:6", "main.sh:2"], namespace: "client", argv: "ip -n client link set lo up", exitCode: 0, outcome: undefined },
      { at: "prelude.sh:3", callers: ["prelude.sh:7", "main.sh:2"], namespace: "", argv: "ip netns add server", exitCode: 0, outcome: undefined },
      { at: "prelude.sh:4", callers: ["prelude.sh:7", "main.sh:2"], namespace: "server", argv: "ip -n server link set lo up", exitCode: 0, outcome: undefined },
      { at: "prelude.sh:8", callers: ["main.sh:2"], namespace: "", argv: "ip link add c0 netns client type veth peer name s0 netns server", exitCode: 0, outcome: undefined },
      { at: "prelude.sh:9", callers: ["main.sh:2"], namespace: "client", argv: "ip -n client addr add 10.0.0.1/24 dev c0", exitCode: 0, outcome: undefined },
      { at: "prelude.sh:10", callers: ["main.sh:2"], namespace: "server", argv: "ip -n server addr add 10.0.0.2/24 dev s0", exitCode: 0, outcome: undefined },
      { at: "prelude.sh:11", callers: ["main.sh:2"], namespace: "client", argv: "ip -n client link set c0 up", exitCode: 0, outcome: undefined },
      { at: "prelude.sh:12", callers: ["main.sh:2"], namespace: "server", argv: "ip -n server link set s0 up", exitCode: 0, outcome: undefined },
      // ip netns exec is not a leaf: the record is ping's, in client, called from line 6.
      { at: "main.sh:4", callers: ["main.sh:6"], namespace: "client", argv: "ping -c 1 -W 1 10.0.0.2", exitCode: 0, outcome: "reply" },
      // nsenter, twice through the loop.
      { at: "main.sh:8", callers: [], namespace: "client", argv: "ping -c 1 -W 1 10.0.0.2", exitCode: 0, outcome: "reply" },
      { at: "main.sh:8", callers: [], namespace: "client", argv: "ping -c 1 -W 1 10.0.0.3", exitCode: 1, outcome: "no-reply" },
      { at: "main.sh:10", callers: [], namespace: "", argv: "ip route add 10.9.0.0/16 via 10.9.9.9", exitCode: 2, outcome: undefined },
      { at: "main.sh:11", callers: [], namespace: "", argv: "ip link show nosuch", exitCode: 1, outcome: undefined },
      { at: "main.sh:14", callers: [], namespace: "client", argv: "nc -z -w 1 10.0.0.2 1234", exitCode: 0, outcome: "connected" },
      { at: "main.sh:15", callers: [], namespace: "client", argv: "nc -z -w 1 10.0.0.2 9", exitCode: 1, outcome: "refused" },
      { at: "main.sh:16", callers: [], namespace: "server", argv: "iptables -A INPUT -p tcp --dport 1234 -j DROP", exitCode: 0, outcome: undefined },
      { at: "main.sh:17", callers: [], namespace: "client", argv: "nc -z -w 1 10.0.0.2 1234", exitCode: 1, outcome: "timeout" },
      { at: "main.sh:18", callers: [], namespace: "", argv: "ping -c 1 -W 1 10.0.0.2", exitCode: 2, outcome: "unreachable" },
      // The listener was still listening at the end: last, a success, no probe.
      { at: "main.sh:12", callers: [], namespace: "server", argv: "nc -lk 1234", exitCode: 0, outcome: undefined },
    ]);
  });

  it("keeps each command's own stdout and stderr", () => {
    const failing = main.commands.find((record) => record.argv.join(" ") === "ip route add 10.9.0.0/16 via 10.9.9.9");
    expect(failing?.stderr).toBe("Error: Nexthop has invalid gateway.\n");
    const ping = main.commands.find((record) => record.probe?.outcome === "reply");
    expect(ping?.stdout).toMatch(/^PING 10\.0\.0\.2 \(10\.0\.0\.2\) 56\(84\) bytes of data\.\n64 bytes from 10\.0\.0\.2: icmp_seq=1 ttl=64 time=/);
    expect(ping?.probe?.ttl).toBe(64);
    // nc ran with an added -v; what only -v printed is not shown.
    expect(main.commands.filter((record) => record.argv[0] === "nc").map((record) => record.stderr)).toEqual(["", "", "", ""]);
  });

  it("checks expectations in the main file and the sourced prelude", () => {
    expect(main.expectations.map((result) => [where(result.location), result.expected, result.actual, result.ok])).toEqual([
      ["main.sh:6", "reply", "reply", true],
      ["main.sh:8", "no-reply", "no-reply", true],
      ["main.sh:10", "error", "error", true],
      ["main.sh:11", "ok", "error", false],
      ["main.sh:14", "connected", "connected", true],
      ["main.sh:15", "refused", "refused", true],
      ["main.sh:17", "timeout", "timeout", true],
      ["main.sh:18", "unreachable", "unreachable", true],
      ["main.sh:19", "ok", "missing", false],
      ["prelude.sh:3", "ok", "ok", true],
    ]);
  });

  it("prints exactly what plain bash prints in a sandbox (ping's clock aside)", () => {
    expect(main.exitCode).toBe(0);
    expect(normalisePingOutput(main.output)).toBe(normalisePingOutput(plainBashOutput(fixture("main.sh"))));
  });

  it("passes signals to a listener, records a wrapper that ran no networking command, follows a child script", async () => {
    const edge = await new KernelBackend().run(fixture("edge.sh"));
    expect(edge.output).toContain("listener status 143\n");
    expect(edge.commands.map(summary)).toEqual([
      { at: "edge.sh:2", callers: [], namespace: "", argv: "ip netns add solo", exitCode: 0, outcome: undefined },
      { at: "edge.sh:3", callers: [], namespace: "solo", argv: "nc -lk 2000", exitCode: 143, outcome: undefined },
      { at: "edge.sh:9", callers: [], namespace: "", argv: "ip netns exec nosuch ping -c 1 127.0.0.1", exitCode: 255, outcome: undefined },
      { at: "child.sh:2", callers: ["edge.sh:10"], namespace: "solo", argv: "ip -br link show lo", exitCode: 0, outcome: undefined },
      { at: "edge.sh:11", callers: [], namespace: "", argv: "sysctl -w net.ipv4.ip_forward=1", exitCode: 0, outcome: undefined },
      { at: "edge.sh:12", callers: [], namespace: "", argv: "sysctl -w vm.swappiness=10", exitCode: 1, outcome: undefined },
      { at: "edge.sh:13", callers: [], namespace: "", argv: "sysctl net.ipv4.ip_forward", exitCode: 0, outcome: undefined },
      { at: "edge.sh:14", callers: [], namespace: "solo", argv: "sysctl net.ipv4.ip_forward", exitCode: 0, outcome: undefined },
    ]);
    // A new namespace starts at the kernel's default ip_forward 0, whatever the host has.
    expect(edge.commands.at(-1)?.stdout).toBe("net.ipv4.ip_forward = 0\n");
    expect(edge.expectations.every((result) => result.ok)).toBe(true);
  });

  it("records the tools a scenario calls by path, directly, through a variable and in a function, where the sandbox has them", async () => {
    const paths = await new KernelBackend().run(fixture("command-paths.sh"));
    expect(paths.commands.map(summary)).toEqual([
      { at: "command-paths.sh:3", callers: [], namespace: "", argv: "ip netns add paths", exitCode: 0, outcome: undefined },
      { at: "command-paths.sh:4", callers: [], namespace: "", argv: "sysctl net.ipv4.ip_forward", exitCode: 0, outcome: undefined },
      { at: "command-paths.sh:7", callers: ["command-paths.sh:9"], namespace: "", argv: "iptables -S INPUT", exitCode: 0, outcome: undefined },
    ]);
    // Debian has no /usr/bin/sysctl: bash's own error, not a wrapper's.
    expect(paths.output).toContain("command-paths.sh: line 5: /usr/bin/sysctl: No such file or directory\n");
  });

  it("stops a scenario at its time limit with exit 124", async () => {
    const started = Date.now();
    const slow = await new KernelBackend({ scriptTimeoutSeconds: 2 }).run(fixture("slow.sh"));
    expect(slow.exitCode).toBe(124);
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(slow.commands.map((record) => record.argv.join(" "))).toEqual(["ip netns add slow", "nc -lk 3000"]);
  });

  it("refuses a scenario with an unknown expectation before running it", async () => {
    await expect(new KernelBackend().run(fixture("bad-expectation.sh"))).rejects.toThrow(/bad-expectation\.sh:2: unknown outcome "pong"/);
  });

  it("captures every namespace's state after each probe and at the end", async () => {
    const run = await new KernelBackend().run(fixture("main.sh"), { snapshots: true });
    const snapshots = run.snapshots ?? [];
    const probes = run.commands.filter((record) => record.probe !== undefined);
    expect(snapshots.map((snapshot) => snapshot.after?.location && where(snapshot.after.location))).toEqual([
      ...probes.map((probe) => where(probe.location)),
      undefined,
    ]);
    const final = snapshots.at(-1);
    expect(final?.namespaces.map((state) => state.namespace)).toEqual(["", "client", "server"]);
    const root = final?.namespaces[0];
    // The sandbox's root namespace has lo up, as a host has.
    expect(JSON.parse(root?.link ?? "[]")).toEqual([expect.objectContaining({ ifname: "lo", flags: ["LOOPBACK", "UP", "LOWER_UP"] })]);
    const server = final?.namespaces[2];
    expect(server?.iptablesSave).toContain(":INPUT ACCEPT\n");
    expect(server?.iptablesSave).toContain("-A INPUT -p tcp -m tcp --dport 1234 -j DROP\n");
    expect(JSON.parse(server?.route ?? "[]")).toContainEqual(expect.objectContaining({ dst: "10.0.0.0/24", dev: "s0" }));
  });
});
