// KERNEL-FACTS §1: the routes the kernel derives from addresses and link
// state, and how they come and go.
import { describe, expect, it } from "vitest";
import { recordOf, simulate } from "../../support/simulate.js";

const VETH = `
ip link add veth0 address 02:00:00:00:00:01 type veth peer name peer0 address 02:00:00:00:00:02
ip link set peer0 up
`;

describe("routes derived from addresses (fib_add_ifaddr)", () => {
  it("adds only the local route while the link is down (fact 1)", async () => {
    const run = await simulate(`${VETH}ip addr add 172.18.0.11/16 dev veth0\nip route\nip route show table local`);
    expect(recordOf(run, "ip route").stdout).toBe("");
    expect(recordOf(run, "ip route show table local").stdout).toContain("local 172.18.0.11 dev veth0 proto kernel scope host src 172.18.0.11 \n");
    expect(recordOf(run, "ip route show table local").stdout).not.toContain("broadcast 172.18");
  });

  it("adds the prefix and subnet-broadcast routes when the link comes up (fact 2)", async () => {
    const run = await simulate(`${VETH}ip addr add 172.18.0.11/16 dev veth0\nip link set veth0 up\nip route\nip route show table local`);
    expect(recordOf(run, "ip route").stdout).toBe("172.18.0.0/16 dev veth0 proto kernel scope link src 172.18.0.11 \n");
    expect(recordOf(run, "ip route show table local").stdout).toContain("broadcast 172.18.255.255 dev veth0 proto kernel scope link src 172.18.0.11 \n");
  });

  it("marks routes through a link without carrier `linkdown` and keeps them (fact 2)", async () => {
    const run = await simulate(`ip link add veth0 type veth peer name peer0\nip addr add 10.1.0.1/24 dev veth0\nip link set veth0 up\nip route\nip link show veth0`);
    expect(recordOf(run, "ip route").stdout).toBe("10.1.0.0/24 dev veth0 proto kernel scope link src 10.1.0.1 linkdown \n");
    expect(recordOf(run, "ip link show veth0").stdout).toContain("state LOWERLAYERDOWN");
  });

  it("admin-down removes prefix, broadcast and every route through the link; up restores only the kernel ones (fact 4)", async () => {
    const run = await simulate(`${VETH}ip addr add 10.1.0.1/24 dev veth0
ip link set veth0 up
ip route add default via 10.1.0.254
ip route add 10.9.0.0/16 dev veth0
ip link set veth0 down
ip route
ip route show table local
ip link set veth0 up
ip route`);
    const routes = run.commands.filter((record) => record.argv.join(" ") === "ip route");
    expect(routes[0]!.stdout).toBe("");
    expect(recordOf(run, "ip route show table local").stdout).toContain("local 10.1.0.1 dev veth0");
    expect(routes[1]!.stdout).toBe("10.1.0.0/24 dev veth0 proto kernel scope link src 10.1.0.1 \n");
  });

  it("re-adds kernel routes at the END of the list after a flap, so the other of two equal routes wins (fact 6)", async () => {
    const run = await simulate(`ip link add veth0 type veth peer name p0
ip link add veth1 type veth peer name p1
ip link set p0 up
ip link set p1 up
ip addr add 172.18.0.11/16 dev veth0
ip addr add 172.18.0.21/16 dev veth1
ip link set veth0 up
ip link set veth1 up
ip route get 172.18.0.20
ip link set veth0 down
ip link set veth0 up
ip route get 172.18.0.20
ip route`);
    const gets = run.commands.filter((record) => record.argv[2] === "get");
    expect(gets[0]!.stdout).toBe("172.18.0.20 dev veth0 src 172.18.0.11 uid 0 \n    cache \n");
    expect(gets[1]!.stdout).toBe("172.18.0.20 dev veth1 src 172.18.0.21 uid 0 \n    cache \n");
    // `ip route` lists them in list order too.
    expect(recordOf(run, "ip route").stdout).toBe(
      "172.18.0.0/16 dev veth1 proto kernel scope link src 172.18.0.21 \n172.18.0.0/16 dev veth0 proto kernel scope link src 172.18.0.11 \n",
    );
  });

  it("deleting an address removes its routes and routes using it as src; a primary takes its secondaries (fact 5)", async () => {
    const run = await simulate(`${VETH}ip link set veth0 up
ip addr add 10.0.0.1/24 dev veth0
ip addr add 10.0.0.2/24 dev veth0
ip route add 10.50.0.0/16 dev veth0 src 10.0.0.1
ip addr show dev veth0
ip addr del 10.0.0.1/24 dev veth0
ip -4 addr show dev veth0
ip route
ip route show table local`);
    expect(recordOf(run, "ip addr show dev veth0").stdout).toContain("inet 10.0.0.2/24 scope global secondary veth0");
    expect(recordOf(run, "ip -4 addr show dev veth0").stdout).toBe("");
    expect(recordOf(run, "ip route").stdout).toBe("");
    expect(recordOf(run, "ip route show table local").stdout).not.toContain("10.0.0.");
  });

  it("a secondary's local route names the primary as src (FINDINGS 14)", async () => {
    const run = await simulate(`${VETH}ip addr add 10.0.0.1/24 dev veth0\nip addr add 10.0.0.2/24 dev veth0\nip route show table local`);
    expect(recordOf(run, "ip route show table local").stdout).toContain("local 10.0.0.2 dev veth0 proto kernel scope host src 10.0.0.1 \n");
  });

  it("gives the same /16 on two devices two equal routes, the first address's device first (fact 6)", async () => {
    const run = await simulate(`ip link add veth0 type veth peer name p0
ip link add veth1 type veth peer name p1
ip link set veth0 up
ip link set veth1 up
ip addr add 172.18.0.11/16 dev veth0
ip addr add 172.18.0.21/16 dev veth1
ip route get 172.18.0.20`);
    expect(recordOf(run, "ip route get 172.18.0.20").stdout).toContain("dev veth0 src 172.18.0.11");
  });
});

describe("route errors (fact 7)", () => {
  const cases: Array<[string, string, number]> = [
    ["ip route add 10.30.0.0/16 via 10.20.0.1", "Error: Nexthop has invalid gateway.\n", 2],
    ["ip route add 10.30.0.0/16 via 10.0.0.255", "Error: Nexthop has invalid gateway.\n", 2],
    ["ip route add 10.0.0.0/24 dev veth0", "RTNETLINK answers: File exists\n", 2],
    ["ip route del 10.40.0.0/16", "RTNETLINK answers: No such process\n", 2],
    ["ip route add 10.0.0.0/33 dev veth0", 'Error: any valid prefix is expected rather than "10.0.0.0/33".\n', 1],
    ["ip route add 10.0.0.1/8 dev veth0", "Error: Invalid prefix for given prefix length.\n", 2],
    ["ip route add 10.0.0.0/8 dev nosuch", 'Cannot find device "nosuch"\n', 1],
    ["ip route add 10.50.0.0/16 dev veth0 src 10.99.9.9", "Error: Invalid prefsrc address.\n", 2],
    ["ip addr add 10.0.0.1/24 dev veth0", "Error: ipv4: Address already assigned.\n", 2],
    ["ip addr del 10.0.0.77/24 dev veth0", "Error: ipv4: Address not found.\n", 2],
    ["ip route get 8.8.8.8", "RTNETLINK answers: Network is unreachable\n", 2],
  ];
  for (const [command, stderr, exitCode] of cases) {
    it(`${command} -> ${stderr.trim()}`, async () => {
      const run = await simulate(`${VETH}ip link set veth0 up\nip addr add 10.0.0.1/24 dev veth0\n${command}`);
      const record = run.commands[run.commands.length - 1]!;
      expect(record.stderr).toBe(stderr);
      expect(record.exitCode).toBe(exitCode);
    });
  }

  it("accepts a gateway equal to an own address, and onlink gateways (fact 7)", async () => {
    const run = await simulate(`${VETH}ip link set veth0 up\nip addr add 10.0.0.1/24 dev veth0\nip route add 10.60.0.0/16 via 10.0.0.1\nip route add 10.61.0.0/16 via 10.200.0.1 dev veth0 onlink\nip route`);
    expect(run.commands.slice(-3, -1).map((record) => record.exitCode)).toEqual([0, 0]);
    expect(recordOf(run, "ip route").stdout).toContain("10.61.0.0/16 via 10.200.0.1 dev veth0 onlink \n");
  });
});
