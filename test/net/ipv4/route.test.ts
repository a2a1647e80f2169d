// KERNEL-FACTS §1.8 and §2: route selection and source address selection.
import { describe, expect, it } from "vitest";
import { recordOf, simulate } from "../../support/simulate.js";

const TWO_LINKS = `
ip link add veth0 type veth peer name p0
ip link add veth1 type veth peer name p1
ip link set p0 up
ip link set p1 up
ip link set veth0 up
ip link set veth1 up
ip addr add 10.1.0.5/24 dev veth0
ip addr add 10.2.0.5/24 dev veth1
`;

describe("route selection (fact 8)", () => {
  it("takes the longest prefix before the lowest metric", async () => {
    const run = await simulate(`${TWO_LINKS}ip route add 10.0.0.0/8 via 10.1.0.1 metric 0\nip route add 10.77.0.0/16 via 10.2.0.1 metric 100\nip route get 10.77.1.1`);
    expect(recordOf(run, "ip route get 10.77.1.1").stdout).toBe("10.77.1.1 via 10.2.0.1 dev veth1 src 10.2.0.5 uid 0 \n    cache \n");
  });

  it("among equal prefixes takes the lowest metric", async () => {
    const run = await simulate(`${TWO_LINKS}ip route add 10.77.0.0/16 via 10.1.0.1 metric 100\nip route add 10.77.0.0/16 via 10.2.0.1 metric 10\nip route get 10.77.1.1`);
    expect(recordOf(run, "ip route get 10.77.1.1").stdout).toContain("via 10.2.0.1 dev veth1");
  });
});

describe("source address selection (facts 10-13)", () => {
  it("prefers a route's src (fact 10)", async () => {
    const run = await simulate(`${TWO_LINKS}ip route add 8.0.0.0/8 via 10.1.0.1 src 10.2.0.5\nip route get 8.1.1.1`);
    expect(recordOf(run, "ip route get 8.1.1.1").stdout).toBe("8.1.1.1 via 10.1.0.1 dev veth0 src 10.2.0.5 uid 0 \n    cache \n");
  });

  it("otherwise picks the primary on the outgoing device whose subnet holds the gateway (fact 11)", async () => {
    const run = await simulate(`${TWO_LINKS}ip addr add 10.3.0.5/24 dev veth0\nip route add 8.0.0.0/8 via 10.3.0.1\nip route get 8.1.1.1`);
    expect(recordOf(run, "ip route get 8.1.1.1").stdout).toContain("via 10.3.0.1 dev veth0 src 10.3.0.5");
  });

  it("a device without addresses borrows the first global primary of the namespace (fact 11)", async () => {
    const run = await simulate(`${TWO_LINKS}ip link add veth2 type veth peer name p2\nip link set p2 up\nip link set veth2 up\nip route add 9.0.0.0/8 dev veth2\nip route get 9.1.1.1`);
    expect(recordOf(run, "ip route get 9.1.1.1").stdout).toBe("9.1.1.1 dev veth2 src 10.1.0.5 uid 0 \n    cache \n");
  });

  it("prints local destinations as `local` through lo (fact 12)", async () => {
    const run = await simulate(`${TWO_LINKS}ip route get 10.2.0.5`);
    expect(recordOf(run, "ip route get 10.2.0.5").stdout).toBe("local 10.2.0.5 dev lo src 10.2.0.5 uid 0 \n    cache <local> \n");
  });

  it("accepts `from` any local address (weak host), refuses a foreign one (fact 13)", async () => {
    const run = await simulate(`${TWO_LINKS}ip route add default via 10.1.0.1\nip route get 8.8.8.8 from 10.2.0.5\nip route get 8.8.8.8 from 10.9.9.9`);
    expect(recordOf(run, "ip route get 8.8.8.8 from 10.2.0.5").stdout).toBe("8.8.8.8 from 10.2.0.5 via 10.1.0.1 dev veth0 uid 0 \n    cache \n");
    const foreign = recordOf(run, "ip route get 8.8.8.8 from 10.9.9.9");
    expect([foreign.stderr, foreign.exitCode]).toEqual(["RTNETLINK answers: Network is unreachable\n", 2]);
  });
});

describe("a fresh namespace (fact 14)", () => {
  it("has lo down without 127.0.0.1: no local table, loopback unreachable", async () => {
    const run = await simulate(`ip netns add fresh\nip -n fresh route show table local\nip netns exec fresh ping -c 1 127.0.0.1\nip -n fresh link set lo up\nip netns exec fresh ping -c 1 127.0.0.1`);
    const show = recordOf(run, "ip -n fresh route show table local");
    expect([show.stderr, show.exitCode]).toEqual(["Error: ipv4: FIB table does not exist.\nDump terminated\n", 2]);
    const pings = run.commands.filter((record) => record.argv[0] === "ping");
    expect([pings[0]!.stderr, pings[0]!.exitCode, pings[0]!.probe?.outcome]).toEqual(["ping: connect: Network is unreachable\n", 2, "unreachable"]);
    expect([pings[1]!.exitCode, pings[1]!.probe?.outcome, pings[1]!.probe?.ttl]).toEqual([0, "reply", 64]);
  });
});

describe("source validation (fib_validate_source, fact 47)", () => {
  // a -- r -- b, with r's route back to a pointing the wrong way (via b).
  // Whether r accepted the echo request shows in whether it then resolved
  // b's address to send the reply; measured on the kernel with this script.
  const ASYMMETRIC = `ip netns add a; ip netns add r; ip netns add b
ip link add a0 type veth peer name r0; ip link add b0 type veth peer name r1
ip link set a0 netns a; ip link set r0 netns r; ip link set r1 netns r; ip link set b0 netns b
ip -n a addr add 10.0.1.2/24 dev a0; ip -n r addr add 10.0.1.1/24 dev r0; ip -n r addr add 10.0.2.1/24 dev r1; ip -n b addr add 10.0.2.2/24 dev b0
for p in a/a0 r/r0 r/r1 b/b0; do ip -n \${p%/*} link set \${p#*/} up; done
ip netns exec r sysctl -q -w net.ipv4.ip_forward=0
ip netns exec a sysctl -q -w net.ipv4.ip_forward=0
ip netns exec b sysctl -q -w net.ipv4.ip_forward=1
ip -n a route add 10.0.2.0/24 via 10.0.1.1
ip -n r route add 10.0.1.2/32 via 10.0.2.2 dev r1
ip -n b route add 10.0.1.0/24 via 10.0.2.1
ip netns exec r sysctl -q -w net.ipv4.conf.all.rp_filter=0
ip -n r neigh flush dev r1; ip netns exec a ping -c 1 -W 1 10.0.2.1 >/dev/null; echo "rp 0: $(ip -n r neigh show dev r1 | cut -d" " -f1)"
ip netns exec r sysctl -q -w net.ipv4.conf.all.rp_filter=1
ip -n r neigh flush dev r1; ip netns exec a ping -c 1 -W 1 10.0.2.1 >/dev/null; echo "rp 1: $(ip -n r neigh show dev r1 | cut -d" " -f1)"
ip netns exec r sysctl -q -w net.ipv4.conf.all.rp_filter=2
ip -n r neigh flush dev r1; ip netns exec a ping -c 1 -W 1 10.0.2.1 >/dev/null; echo "rp 2: $(ip -n r neigh show dev r1 | cut -d" " -f1)"
`;

  it("drops asymmetric sources in strict mode only", async () => {
    const run = await simulate(ASYMMETRIC);
    expect(run.output.split("\n").filter((line) => line.startsWith("rp "))).toEqual(["rp 0: 10.0.2.2", "rp 1: ", "rp 2: 10.0.2.2"]);
  });

  it("ignores an ARP request from outside that claims one of the namespace's own addresses (measured: the asker stays INCOMPLETE)", async () => {
    const run = await simulate(`ip netns add a\nip netns add b\nip link add va type veth peer name vb\nip link set va netns a\nip link set vb netns b\nip -n a addr add 10.0.0.1/24 dev va\nip -n b addr add 10.0.0.1/32 dev lo\nip -n b addr add 10.0.0.2/24 dev vb\nip -n a link set va up\nip -n b link set vb up\nip -n b link set lo up\nip netns exec a ping -c 1 -W 1 10.0.0.2`, { tracing: true });
    const ping = run.commands.find((record) => record.argv[0] === "ping")!;
    const drop = run.traces[ping.probe!.traceIndex!]!.steps.find((step) => step.verdict === "drop")!;
    expect([drop.namespace, drop.stage, drop.dropReason]).toEqual(["b", "arp_rcv", "IP_INVALID_SOURCE"]);
  });
});
