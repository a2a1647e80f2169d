// KERNEL-FACTS §6 and fact 24/25: forwarding, TTL, router errors.
import { describe, expect, it } from "vitest";
import { recordOf, simulate } from "../../support/simulate.js";

/** client -- router -- server, two /24s. */
const ROUTED = `
ip netns add client
ip netns add router
ip netns add server
ip link add c0 type veth peer name r0
ip link add s0 type veth peer name r1
ip link set c0 netns client
ip link set r0 netns router
ip link set r1 netns router
ip link set s0 netns server
ip -n client addr add 10.0.1.2/24 dev c0
ip -n router addr add 10.0.1.1/24 dev r0
ip -n router addr add 10.0.2.1/24 dev r1
ip -n server addr add 10.0.2.2/24 dev s0
for pair in client/c0 router/r0 router/r1 server/s0; do ip -n \${pair%/*} link set \${pair#*/} up; done
ip -n client route add default via 10.0.1.1
ip -n server route add default via 10.0.2.1
`;

describe("ip_forward", () => {
  it("is off in a new namespace: the packet is dropped silently, the router's own addresses answer (facts 34, 37)", async () => {
    const run = await simulate(`${ROUTED}ip netns exec router sysctl net.ipv4.ip_forward\nip netns exec client ping -c 1 -W 1 10.0.2.2\nip netns exec client ping -c 1 10.0.2.1`, { tracing: true });
    expect(recordOf(run, "sysctl net.ipv4.ip_forward").stdout).toBe("net.ipv4.ip_forward = 0\n");
    const dropped = recordOf(run, "ping -c 1 -W 1 10.0.2.2");
    expect(dropped.stdout).not.toContain("From");
    expect(dropped.probe?.outcome).toBe("no-reply");
    const drop = run.traces[dropped.probe!.traceIndex!]!.steps.find((step) => step.verdict === "drop")!;
    expect([drop.namespace, drop.dropReason]).toEqual(["router", "IP_INADDRERRORS"]);
    expect(recordOf(run, "ping -c 1 10.0.2.1").probe?.outcome).toBe("reply");
  });

  it("forwards once on, decrementing the TTL (fact 24)", async () => {
    const run = await simulate(`${ROUTED}ip netns exec router sysctl -w net.ipv4.ip_forward=1\nip netns exec client ping -c 1 10.0.2.2`);
    expect(recordOf(run, "sysctl -w net.ipv4.ip_forward=1").stdout).toBe("net.ipv4.ip_forward = 1\n");
    expect(recordOf(run, "ping -c 1 10.0.2.2").probe).toMatchObject({ outcome: "reply", ttl: 63 });
  });

  it("writes /proc/sys in the namespace of the shell that redirects", async () => {
    const run = await simulate(`${ROUTED}echo 1 > /proc/sys/net/ipv4/ip_forward\nsysctl net.ipv4.ip_forward\nip netns exec router sysctl net.ipv4.ip_forward`);
    expect(run.commands.filter((record) => record.argv[0] === "sysctl").map((record) => [record.namespace, record.stdout])).toEqual([
      ["", "net.ipv4.ip_forward = 1\n"],
      ["router", "net.ipv4.ip_forward = 0\n"],
    ]);
  });

  it("sets default and every device's forwarding when all.forwarding is written (fact 35)", async () => {
    const run = await simulate(`${ROUTED}ip netns exec router bash -c 'echo 1 > /proc/sys/net/ipv4/ip_forward'\nip netns exec router sysctl net.ipv4.conf.r0.forwarding net.ipv4.conf.default.forwarding`);
    expect(recordOf(run, "sysctl net.ipv4.conf.r0.forwarding net.ipv4.conf.default.forwarding").stdout).toBe("net.ipv4.conf.r0.forwarding = 1\nnet.ipv4.conf.default.forwarding = 1\n");
  });

  it("checks forwarding on the ingress device only (fact 36)", async () => {
    const run = await simulate(`${ROUTED}ip netns exec router sysctl -q -w net.ipv4.ip_forward=1\nip netns exec router sysctl -q -w net.ipv4.conf.r1.forwarding=0\nip netns exec client ping -c 1 -W 1 10.0.2.2`, { tracing: true });
    const ping = recordOf(run, "ping -c 1 -W 1 10.0.2.2");
    const steps = run.traces[ping.probe!.traceIndex!]!.steps;
    // In on r0 (forwarding 1), out on r1 (0): forwarded, and the server answers...
    expect(steps.some((step) => step.namespace === "server" && step.stage === "icmp_rcv")).toBe(true);
    // ...but the reply enters on r1, whose forwarding is 0, and dies there.
    const drop = steps.find((step) => step.verdict === "drop")!;
    expect([drop.namespace, drop.device, drop.dropReason]).toEqual(["router", "r1", "IP_INADDRERRORS"]);
    expect(ping.probe?.outcome).toBe("no-reply");
  });

  it("answers Destination Net Unreachable when forwarding is on and no route fits (facts 25, 37)", async () => {
    const run = await simulate(`${ROUTED}ip netns exec router sysctl -q -w net.ipv4.ip_forward=1\nip netns exec client ping -c 1 10.0.9.9`);
    expect(recordOf(run, "ping -c 1 10.0.9.9").stdout).toContain("From 10.0.1.1 icmp_seq=1 Destination Net Unreachable\n");
  });

  it("answers Time to live exceeded for ping -t 1 through a router (fact 25)", async () => {
    const run = await simulate(`${ROUTED}ip netns exec router sysctl -q -w net.ipv4.ip_forward=1\nip netns exec client ping -c 1 -t 1 10.0.2.2`);
    const ping = recordOf(run, "ping -c 1 -t 1 10.0.2.2");
    expect(ping.stdout).toContain("From 10.0.1.1 icmp_seq=1 Time to live exceeded\n");
    expect(ping.exitCode).toBe(1);
  });

  it("answers Host Unreachable and Packet filtered for unreachable and prohibit routes, stays silent for blackhole (fact 25)", async () => {
    const run = await simulate(`${ROUTED}ip netns exec router sysctl -q -w net.ipv4.ip_forward=1
ip -n router route add unreachable 10.7.0.0/16
ip -n router route add prohibit 10.8.0.0/16
ip -n router route add blackhole 10.9.0.0/16
ip netns exec client ping -c 1 10.7.0.1
ip netns exec client ping -c 1 10.8.0.1
ip netns exec client ping -c 1 -W 1 10.9.0.1`);
    expect(recordOf(run, "ping -c 1 10.7.0.1").stdout).toContain("From 10.0.1.1 icmp_seq=1 Destination Host Unreachable");
    expect(recordOf(run, "ping -c 1 10.8.0.1").stdout).toContain("From 10.0.1.1 icmp_seq=1 Packet filtered");
    expect(recordOf(run, "ping -c 1 -W 1 10.9.0.1").stdout).not.toContain("From");
  });
});
