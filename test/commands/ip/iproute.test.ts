import { describe, expect, it } from "vitest";
import { ip } from "../../../src/commands/ip/ip.js";
import { runCommand, worldAfter } from "../run-command.js";

const error = (stderr: string, exitCode: number) => ({ stdout: "", stderr, exitCode });
const SETUP = [
  "ip link add d0 address 02:00:00:00:02:00 type veth peer name d0p address 02:00:00:00:03:00",
  "ip link set d0p up",
  "ip addr add 10.0.0.1/24 dev d0",
  "ip link set d0 up",
];

describe("ip route: argument and kernel errors (ip/iproute.c)", () => {
  const cases: Array<[string, string, number]> = [
    ["ip route add via", 'Command line is not complete. Try option "help"\n', 255],
    ["ip route add 10.9.0.0/16 via", 'Command line is not complete. Try option "help"\n', 255],
    ["ip route add 10.9.0.0/16 foo bar", 'Error: either "to" is duplicate, or "foo" is a garbage.\n', 255],
    ["ip route add 10.0.0.0/33 dev d0", 'Error: any valid prefix is expected rather than "10.0.0.0/33".\n', 1],
    ["ip route add 10.0.0.1/8 dev d0", "Error: Invalid prefix for given prefix length.\n", 2],
    ["ip route add 10.9.0.0/16 dev nosuch", 'Cannot find device "nosuch"\n', 1],
    ["ip route add 10.9.0.0/16 via 10.20.0.1", "Error: Nexthop has invalid gateway.\n", 2],
    ["ip route add 10.9.0.0/16 dev d0 src 10.99.9.9", "Error: Invalid prefsrc address.\n", 2],
    ["ip route add 10.0.0.0/24 dev d0 proto kernel scope link src 10.0.0.1", "RTNETLINK answers: File exists\n", 2],
    ["ip route del 10.40.0.0/16", "RTNETLINK answers: No such process\n", 2],
    ["ip route add 10.9.0.0/16 dev d0 metric x", 'Error: argument "x" is wrong: "metric" value is invalid\n\n', 255],
    ["ip route get", "need at least a destination address\n", 1],
    ["ip route get 8.8.8.8", "RTNETLINK answers: Network is unreachable\n", 2],
    ["ip route get 8.8.8.8 from 127.0.0.1", "RTNETLINK answers: Network is unreachable\n", 2],
    ["ip route frob", 'Command "frob" is unknown, try "ip route help".\n', 255],
    ["ip route show dev nosuch", 'Cannot find device "nosuch"\n', 1],
  ];
  for (const [line, stderr, exitCode] of cases) {
    it(`${line} -> exit ${exitCode}`, () => {
      expect(runCommand(ip, line.split(" ").slice(1), worldAfter(ip, SETUP))).toEqual(error(stderr, exitCode));
    });
  }

  it("prints the route usage for a bare `ip route add`, exit 255", () => {
    const printed = runCommand(ip, ["route", "add"]);
    expect(printed.exitCode).toBe(255);
    expect(printed.stderr.startsWith("Usage: ip route { list | flush } SELECTOR\n")).toBe(true);
  });

  it("warns that a prefix length is ignored by `ip route get`, and answers for the address", () => {
    const printed = runCommand(ip, ["route", "get", "10.0.0.0/24"], worldAfter(ip, SETUP));
    expect(printed.stderr).toBe("Warning: /24 as prefix is invalid, only /32 (or none) is supported.\n");
    expect(printed.exitCode).toBe(0);
  });

  it("`table all` adds the IPv6 routes after the IPv4 ones, without a trailing space", () => {
    const lines = runCommand(ip, ["route", "show", "table", "all"], worldAfter(ip, SETUP)).stdout.split("\n");
    const ipv6 = lines.filter((line) => line.includes(":"));
    expect(ipv6).toEqual([
      "fe80::/64 dev d0 proto kernel metric 256 pref medium",
      "fe80::/64 dev d0p proto kernel metric 256 pref medium",
      "local ::1 dev lo table local proto kernel metric 0 pref medium",
      "local fe80::ff:fe00:200 dev d0 table local proto kernel metric 0 pref medium",
      "local fe80::ff:fe00:300 dev d0p table local proto kernel metric 0 pref medium",
      "multicast ff00::/8 dev d0 table local proto kernel metric 256 pref medium",
      "multicast ff00::/8 dev d0p table local proto kernel metric 256 pref medium",
    ]);
    expect(lines.indexOf(ipv6[0]!)).toBeGreaterThan(lines.findIndex((line) => line.startsWith("broadcast")));
  });
});
