import { describe, expect, it } from "vitest";
import { UnsupportedError } from "../../src/commands/command.js";
import { bridge } from "../../src/commands/bridge.js";
import { ip } from "../../src/commands/ip/ip.js";
import { ping } from "../../src/commands/ping.js";
import { runCommand, worldAfter } from "./run-command.js";

const SETUP = [
  "ip link add br0 address 02:00:00:00:01:00 type bridge",
  "ip link add veth0 address 02:00:00:00:00:01 type veth peer name ceth0 address 02:00:00:00:00:02",
  "ip netns add netns0",
  "ip link set ceth0 netns netns0",
  "ip link set veth0 master br0",
];

describe("bridge (iproute2 bridge/)", () => {
  it("bridge link: a port without carrier is disabled; with it, forwarding", () => {
    const world = worldAfter(ip, SETUP);
    expect(runCommand(bridge, ["link"], world).stdout).toBe("4: veth0@if3: <BROADCAST,MULTICAST> mtu 1500 master br0 state disabled priority 32 cost 2 \n");
    for (const line of ["ip link set br0 up", "ip link set veth0 up", "ip -n netns0 link set ceth0 up"]) runCommand(ip, line.split(" ").slice(1), world);
    expect(runCommand(bridge, ["-j", "link", "show", "dev", "veth0"], world).stdout).toBe(
      '[{"ifindex":4,"link":"if3","ifname":"veth0","flags":["BROADCAST","MULTICAST","UP","LOWER_UP"],"mtu":1500,"master":"br0","state":"forwarding","priority":32,"cost":2}]\n',
    );
  });

  it("bridge fdb show: the bridge's own groups before its entry, a port's entries before its groups; learned entries with `dynamic`", () => {
    const world = worldAfter(ip, [...SETUP, "ip addr add 172.18.0.1/16 dev br0", "ip link set br0 up", "ip link set veth0 up", "ip -n netns0 link set ceth0 up", "ip -n netns0 addr add 172.18.0.10/16 dev ceth0"]);
    expect(runCommand(ping, ["-c", "1", "172.18.0.1"], world, "netns0").exitCode).toBe(0);
    expect(runCommand(bridge, ["fdb", "show", "br", "br0"], world).stdout).toBe(
      [
        "33:33:00:00:00:01 dev br0 self permanent",
        "01:00:5e:00:00:6a dev br0 self permanent",
        "33:33:00:00:00:6a dev br0 self permanent",
        "01:00:5e:00:00:01 dev br0 self permanent",
        "33:33:ff:00:01:00 dev br0 self permanent",
        "02:00:00:00:01:00 dev br0 master br0 permanent",
        "02:00:00:00:00:02 dev veth0 master br0 ",
        "02:00:00:00:00:01 dev veth0 master br0 permanent",
        "33:33:00:00:00:01 dev veth0 self permanent",
        "01:00:5e:00:00:01 dev veth0 self permanent",
        "33:33:ff:00:00:01 dev veth0 self permanent",
        "",
      ].join("\n"),
    );
    expect(runCommand(bridge, ["-j", "fdb", "show", "br", "br0", "dynamic"], world).stdout).toBe('[{"mac":"02:00:00:00:00:02","ifname":"veth0","flags":[],"master":"br0","state":""}]\n');
  });

  it("errors: unknown device, unknown object, unmodelled forms", () => {
    expect(runCommand(bridge, ["fdb", "show", "br", "nosuch"])).toEqual({ stdout: "", stderr: 'Cannot find device "nosuch"\n', exitCode: 1 });
    expect(runCommand(bridge, ["frob"]).exitCode).toBe(255);
    expect(() => runCommand(bridge, ["vlan"])).toThrow(UnsupportedError);
  });
});
