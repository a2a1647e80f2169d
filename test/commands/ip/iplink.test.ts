import { describe, expect, it } from "vitest";
import { ip } from "../../../src/commands/ip/ip.js";
import { namespaceByName, rootNamespace } from "../../../src/net/core/net-namespace.js";
import { runCommand, worldAfter } from "../run-command.js";

const error = (stderr: string, exitCode: number) => ({ stdout: "", stderr, exitCode });
const VETH = "ip link add veth0 address 02:00:00:00:00:01 type veth peer name ceth0 address 02:00:00:00:00:02";

describe("ip link: argument errors (ip/iplink.c)", () => {
  const cases: Array<[string, string, number]> = [
    ["ip link frob", 'Command "frob" is unknown, try "ip link help".\n', 255],
    ["ip link add x type bogus", "Error: Unknown device type.\n", 2],
    ["ip link add veth0", 'Not enough information: "type" argument is required\n', 1],
    ["ip link add veth0 type veth", "RTNETLINK answers: File exists\n", 2],
    ["ip link add veth9 type veth peer name ceth0", "RTNETLINK answers: File exists\n", 2],
    ["ip link set nosuch up", 'Cannot find device "nosuch"\n', 1],
    ["ip link set veth0 bogus", 'Error: either "dev" is duplicate, or "bogus" is a garbage.\n', 255],
    ["ip link set veth0 netns nosuch", 'Error: argument "nosuch" is wrong: Invalid "netns" value\n\n', 255],
    ["ip link set veth0 master nosuch", 'Error: argument "nosuch" is wrong: Device does not exist\n\n', 255],
    ["ip link del lo", "RTNETLINK answers: Operation not supported\n", 2],
    ["ip link del nosuch", 'Cannot find device "nosuch"\n', 1],
    ["ip link show nosuch", 'Device "nosuch" does not exist.\n', 1],
  ];
  for (const [line, stderr, exitCode] of cases) {
    it(`${line} -> exit ${exitCode}`, () => {
      expect(runCommand(ip, line.split(" ").slice(1), worldAfter(ip, [VETH]))).toEqual(error(stderr, exitCode));
    });
  }

  it("names an unnamed veth pair as the kernel does: the peer takes the first free vethN, then the device the next (measured: link-names)", () => {
    const world = worldAfter(ip, [VETH]);
    expect(runCommand(ip, ["link", "add", "type", "veth"], world).exitCode).toBe(0);
    const names = [...rootNamespace(world).devices.values()].sort((a, b) => a.index - b.index).map((device) => device.name);
    expect(names).toEqual(["lo", "ceth0", "veth0", "veth1", "veth2"]);
  });

  it("takes `netns 1` as PID 1's namespace: the root", () => {
    const world = worldAfter(ip, ["ip netns add n0"]);
    expect(runCommand(ip, ["-n", "n0", "link", "add", "a0", "type", "veth", "peer", "name", "b0", "netns", "1"], world).exitCode).toBe(0);
    expect([...rootNamespace(world).devices.values()].map((device) => device.name)).toContain("b0");
    expect([...namespaceByName(world, "n0")!.devices.values()].map((device) => device.name)).toContain("a0");
  });
});

describe("ip link: listings", () => {
  it("-d prints veth details after the link line", () => {
    const printed = runCommand(ip, ["-d", "link", "show", "veth0"], worldAfter(ip, [VETH]));
    expect(printed.stdout).toBe(
      "3: veth0@ceth0: <BROADCAST,MULTICAST,M-DOWN> mtu 1500 qdisc noop state DOWN mode DEFAULT group default qlen 1000\n" +
        "    link/ether 02:00:00:00:00:01 brd ff:ff:ff:ff:ff:ff promiscuity 0  allmulti 0 minmtu 68 maxmtu 65535 \n" +
        "    veth addrgenmode eui64 numtxqueues 2 numrxqueues 2 gso_max_size 65536 gso_max_segs 65535 tso_max_size 524280 tso_max_segs 65535 gro_max_size 65536 \n",
    );
  });

  it("-o joins each record's lines with a backslash", () => {
    expect(runCommand(ip, ["-o", "link", "show", "lo"]).stdout).toBe(
      "1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN mode DEFAULT group default qlen 1000\\    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00\n",
    );
  });

  it("-s adds the RX/TX counter block", () => {
    expect(runCommand(ip, ["-s", "link", "show", "lo"]).stdout.split("\n").slice(2).join("\n")).toBe(
      "    RX:  bytes packets errors dropped  missed   mcast           \n             0       0      0       0       0       0 \n" +
        "    TX:  bytes packets errors dropped carrier collsns           \n             0       0      0       0       0       0 \n",
    );
  });
});
