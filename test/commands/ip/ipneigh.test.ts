import { describe, expect, it } from "vitest";
import { ip } from "../../../src/commands/ip/ip.js";
import { runCommand, worldAfter } from "../run-command.js";

const error = (stderr: string, exitCode: number) => ({ stdout: "", stderr, exitCode });
const SETUP = [
  "ip link add veth0 address 02:00:00:00:00:01 type veth peer name ceth0 address 02:00:00:00:00:02",
  "ip neigh add 172.18.0.99 lladdr 02:00:00:00:00:99 dev veth0",
];

describe("ip neigh: argument and kernel errors (ip/ipneigh.c)", () => {
  const cases: Array<[string, string, number]> = [
    ["ip neigh add 172.18.0.99 lladdr 02:00:00:00:00:99 dev veth0", "RTNETLINK answers: File exists\n", 2],
    ["ip neigh del 172.18.0.77 dev veth0", "RTNETLINK answers: No such file or directory\n", 2],
    ["ip neigh add 172.18.0.5 lladdr 02:00:00:00:00:05 dev nosuch", 'Cannot find device "nosuch"\n', 1],
    ["ip neigh add 172.18.0.5 lladdr zz dev veth0", '"zz" is invalid lladdr.\n', 255],
    ["ip neigh show nud bogus", 'Error: argument "bogus" is wrong: nud state is bad\n', 255],
    ["ip neigh flush", "Flush requires arguments.\n", 1],
    ["ip neigh frob", 'Command "frob" is unknown, try "ip neigh help".\n', 255],
  ];
  for (const [line, stderr, exitCode] of cases) {
    it(`${line} -> exit ${exitCode}`, () => {
      expect(runCommand(ip, line.split(" ").slice(1), worldAfter(ip, SETUP))).toEqual(error(stderr, exitCode));
    });
  }

  it("filters by nud state, and flush keeps PERMANENT entries", () => {
    const world = worldAfter(ip, [...SETUP, "ip neigh add 172.18.0.98 lladdr 02:00:00:00:00:98 dev veth0 nud reachable"]);
    expect(runCommand(ip, ["neigh", "show", "nud", "permanent"], world).stdout).toBe("172.18.0.99 dev veth0 lladdr 02:00:00:00:00:99 PERMANENT \n");
    expect(runCommand(ip, ["neigh", "show", "nud", "reachable"], world).stdout).toBe("172.18.0.98 dev veth0 lladdr 02:00:00:00:00:98 REACHABLE \n");
    expect(runCommand(ip, ["neigh", "flush", "dev", "veth0"], world).exitCode).toBe(0);
    expect(runCommand(ip, ["neigh"], world).stdout).toBe("172.18.0.99 dev veth0 lladdr 02:00:00:00:00:99 PERMANENT \n");
  });

  // Measured on the kernel (iproute2): "all" is get_prefix()'s 0/0, so `flush all` flushes every
  // non-PERMANENT entry silently; with -s it reports the rounds, or "Nothing to flush." (exit 0).
  it("flush all flushes every entry but PERMANENT ones; -s reports the count", () => {
    const world = worldAfter(ip, SETUP);
    expect(runCommand(ip, ["-s", "neigh", "flush", "all"], world)).toEqual({ stdout: "Nothing to flush.\n", stderr: "", exitCode: 0 });
    for (const line of ["ip neigh add 172.18.0.98 lladdr 02:00:00:00:00:98 dev veth0 nud reachable", "ip neigh add 172.18.0.97 lladdr 02:00:00:00:00:97 dev veth0 nud stale"]) {
      expect(runCommand(ip, line.split(" ").slice(1), world).exitCode).toBe(0);
    }
    expect(runCommand(ip, ["-s", "neigh", "flush", "all"], world)).toEqual({ stdout: "\n*** Round 1, deleting 2 entries ***\n*** Flush is complete after 1 round ***\n", stderr: "", exitCode: 0 });
    expect(runCommand(ip, ["neigh"], world).stdout).toBe("172.18.0.99 dev veth0 lladdr 02:00:00:00:00:99 PERMANENT \n");
    expect(runCommand(ip, ["neigh", "add", "172.18.0.98", "lladdr", "02:00:00:00:00:98", "dev", "veth0", "nud", "stale"], world).exitCode).toBe(0);
    expect(runCommand(ip, ["neigh", "flush", "to", "all"], world)).toEqual({ stdout: "", stderr: "", exitCode: 0 });
    expect(runCommand(ip, ["neigh", "flush", "all"], world)).toEqual({ stdout: "", stderr: "", exitCode: 0 });
    expect(runCommand(ip, ["neigh"], world).stdout).toBe("172.18.0.99 dev veth0 lladdr 02:00:00:00:00:99 PERMANENT \n");
  });
});
