import { describe, expect, it } from "vitest";
import { UnsupportedError } from "../../src/commands/command.js";
import { ip } from "../../src/commands/ip/ip.js";
import { ping } from "../../src/commands/ping.js";
import { runCommand, worldAfter } from "./run-command.js";

const SETUP = [
  "ip link add veth0 address 02:00:00:00:00:01 type veth peer name ceth0 address 02:00:00:00:00:02",
  "ip addr add 172.18.0.1/16 dev veth0",
  "ip link set veth0 up",
  "ip link set ceth0 up",
];
const error = (stderr: string, exitCode: number) => ({ stdout: "", stderr, exitCode });

describe("ping: usage errors (iputils ping/ping.c)", () => {
  const cases: Array<[string, string, number]> = [
    ["ping", "ping: usage error: Destination address required\n", 1],
    ["ping -c 0 172.18.0.1", "ping: invalid argument: '0': out of range: 1 <= value <= 9223372036854775807\n", 1],
    ["ping -c -1 172.18.0.1", "ping: invalid argument: '-1': out of range: 1 <= value <= 9223372036854775807\n", 1],
    ["ping -c abc 172.18.0.1", "ping: invalid argument: 'abc'\n", 1],
    ["ping -c 1 nosuchhost", "ping: nosuchhost: Temporary failure in name resolution\n", 2],
    ["ping -c 1 300.1.1.1", "ping: 300.1.1.1: Temporary failure in name resolution\n", 2],
    ["ping -c 1 -I nosuchdev 172.18.0.1", "ping: SO_BINDTODEVICE nosuchdev: No such device\n", 2],
    ["ping -c 1 -I 10.9.9.9 172.18.0.1", "ping: bind: Cannot assign requested address\n", 2],
    ["ping -c 1 -t 0 172.18.0.1", "ping: cannot set unicast time-to-live: Invalid argument\n", 2],
    ["ping -c 1 -t 256 172.18.0.1", "ping: invalid argument: '256': out of range: 0 <= value <= 255\n", 1],
    ["ping -c 1 172.18.0.1 172.18.0.2", "ping: record route: Operation not permitted\n", 2],
    ["ping -c 1 172.18.255.255", "ping: Do you want to ping broadcast? Then -b. If not, check your local firewall rules\n", 2],
    ["ping -c 1 10.99.0.1", "ping: connect: Network is unreachable\n", 2],
  ];
  for (const [line, stderr, exitCode] of cases) {
    it(`${line} -> exit ${exitCode}`, () => {
      expect(runCommand(ping, line.split(" ").slice(1), worldAfter(ip, SETUP))).toEqual(error(stderr, exitCode));
    });
  }

  it("an unknown option prints the usage text, exit 2", () => {
    const printed = runCommand(ping, ["-c", "1", "-X", "172.18.0.1"]);
    expect(printed.exitCode).toBe(2);
    expect(printed.stderr.startsWith("ping: invalid option -- 'X'\n\nUsage\n  ping [options] <destination>\n")).toBe(true);
    expect(printed.stderr.endsWith("For more details see ping(8).\n")).toBe(true);
  });

  it("-W with trailing garbage only warns, and pings", () => {
    const printed = runCommand(ping, ["-c", "1", "-W", "abc", "172.18.0.1"], worldAfter(ip, SETUP));
    expect(printed.stderr).toBe("ping: option argument contains garbage: abc\nping: this will become fatal error in the future\n");
    expect(printed.exitCode).toBe(0);
  });

  it("refuses a ping that would never stop", () => {
    expect(() => runCommand(ping, ["172.18.0.1"])).toThrow(UnsupportedError);
  });
});
