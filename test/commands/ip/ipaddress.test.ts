import { describe, expect, it } from "vitest";
import { ip } from "../../../src/commands/ip/ip.js";
import { runCommand, worldAfter } from "../run-command.js";

const error = (stderr: string, exitCode: number) => ({ stdout: "", stderr, exitCode });
const SETUP = ["ip link add veth0 address 02:00:00:00:00:01 type veth peer name ceth0 address 02:00:00:00:00:02", "ip addr add 10.0.0.1/24 dev veth0"];

describe("ip address: argument errors (ip/ipaddress.c)", () => {
  const cases: Array<[string, string, number]> = [
    ["ip addr add 10.0.0.9/24", 'Not enough information: "dev" argument is required.\n', 1],
    ["ip addr add 300.1.1.1/24 dev veth0", 'Error: any valid prefix is expected rather than "300.1.1.1/24".\n', 1],
    ["ip addr add 10.0.0.9/24 dev veth0 bogus", 'Error: either "local" is duplicate, or "bogus" is a garbage.\n', 255],
    ["ip addr add 10.0.0.1/24 dev veth0", "Error: ipv4: Address already assigned.\n", 2],
    ["ip addr del 10.0.0.77/24 dev veth0", "Error: ipv4: Address not found.\n", 2],
    ["ip addr add 10.0.0.9/24 dev nosuch", 'Cannot find device "nosuch"\n', 1],
    ["ip addr show dev nosuch", 'Device "nosuch" does not exist.\n', 1],
    ["ip addr frob", 'Command "frob" is unknown, try "ip address help".\n', 255],
    ["ip addr flush", "Flush requires arguments.\n", 1],
  ];
  for (const [line, stderr, exitCode] of cases) {
    it(`${line} -> exit ${exitCode}`, () => {
      expect(runCommand(ip, line.split(" ").slice(1), worldAfter(ip, SETUP))).toEqual(error(stderr, exitCode));
    });
  }

  it("warns about a wildcard deletion without a prefix length, and deletes", () => {
    const world = worldAfter(ip, SETUP);
    const printed = runCommand(ip, ["addr", "del", "10.0.0.1", "dev", "veth0"], world);
    expect(printed.exitCode).toBe(0);
    expect(printed.stderr).toBe(
      "Warning: Executing wildcard deletion to stay compatible with old scripts.\n         Explicitly specify the prefix length (10.0.0.1/32) to avoid this warning.\n         This special behaviour is likely to disappear in further releases,\n         fix your scripts!\n",
    );
    expect(runCommand(ip, ["-4", "addr", "show", "veth0"], world).stdout).toBe("");
  });

  it("-4 leaves out the link/ether line and keeps the netns label on the first line", () => {
    const printed = runCommand(ip, ["-4", "addr", "show", "veth0"], worldAfter(ip, SETUP));
    expect(printed.stdout).toBe("3: veth0@ceth0: <BROADCAST,MULTICAST,M-DOWN> mtu 1500 qdisc noop state DOWN group default qlen 1000\n    inet 10.0.0.1/24 scope global veth0\n       valid_lft forever preferred_lft forever\n");
  });

  it("-o prints one line per address, named without the peer", () => {
    expect(runCommand(ip, ["-o", "-4", "addr"], worldAfter(ip, SETUP)).stdout).toBe(
      "1: lo    inet 127.0.0.1/8 scope host lo\\       valid_lft forever preferred_lft forever\n3: veth0    inet 10.0.0.1/24 scope global veth0\\       valid_lft forever preferred_lft forever\n",
    );
  });
});
