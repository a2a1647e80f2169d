import { describe, expect, it } from "vitest";
import { containerHost, flowCommand, formatFlowTuple, runFlow, runFlows, tuplesAt } from "../../src/testing/index.js";

const host = containerHost({
  listeners: [
    { namespace: "wan", protocol: "tcp", port: 80 },
    { namespace: "wan", protocol: "udp", port: 53 },
  ],
  portForwards: [{ protocol: "tcp", hostPort: 8080, container: 0, containerPort: 80 }],
});

describe("testing/flow", () => {
  it("runs a TCP flow out through MASQUERADE: outcome, landing, tuples at each device, conntrack", () => {
    const result = runFlow(host.world(), { protocol: "tcp", from: "c0", to: "8.8.8.8", port: 80, sourcePort: 5000 });
    expect(result.outcome).toBe("connected");
    expect(formatFlowTuple(result.sent)).toBe("tcp 172.18.0.2:5000 > 8.8.8.8:80");
    expect(result.landed).toEqual({ namespace: "wan", device: "wan0", tuple: { protocol: "tcp", source: "192.168.0.100", sourcePort: 5000, destination: "8.8.8.8", destinationPort: 80 } });
    expect(tuplesAt(result, "", "eth0", "original").map(formatFlowTuple)).toEqual(["tcp 172.18.0.2:5000 > 8.8.8.8:80", "tcp 192.168.0.100:5000 > 8.8.8.8:80"]);
    expect(tuplesAt(result, "c0", "eth0", "reply").map(formatFlowTuple)).toEqual(["tcp 8.8.8.8:80 > 172.18.0.2:5000"]);
    expect(result.conntrack).toHaveLength(1);
    expect(result.conntrack[0]).toMatchObject({ namespace: "", tcpState: "ESTABLISHED", reply: { source: "8.8.8.8", destination: "192.168.0.100", destinationPort: 5000 } });
    expect(result.trace.probe).toBe("ip netns exec c0 nc -z -w 1 8.8.8.8 80   # from port 5000");
  });

  it("answers UDP with an echo, ICMP echo with the kernel's reply; closed ports refuse", () => {
    const world = host.world();
    const [udp, icmp, closed, nowhere] = runFlows(world, [
      { protocol: "udp", from: "c1", to: "8.8.8.8", port: 53 },
      { protocol: "icmp", from: "c1", to: "8.8.8.8", sourcePort: 7 },
      { protocol: "udp", from: "c1", to: "8.8.8.8", port: 54 },
      { protocol: "tcp", from: "wan", to: "172.18.0.2", port: 80 },
    ]);
    expect(udp!.outcome).toBe("connected");
    expect(udp!.answered).toMatchObject({ source: "8.8.8.8", sourcePort: 53, destination: "172.18.0.3" });
    expect(icmp!.outcome).toBe("connected");
    expect(icmp!.landed?.tuple).toEqual({ protocol: "icmp", source: "192.168.0.100", sourcePort: 7, destination: "8.8.8.8", destinationPort: 7 });
    expect(closed!).toMatchObject({ outcome: "refused", error: "icmp type 3 code 3 from 8.8.8.8" });
    // The wan has no route to the containers' subnet.
    expect(nowhere!).toMatchObject({ outcome: "unreachable", error: "ENETUNREACH" });
  });

  it("follows a port forward to the container; the client sees host:port answer", () => {
    const result = runFlow(host.world(), { protocol: "tcp", from: "wan", to: "192.168.0.100", port: 8080, sourcePort: 40000 });
    expect(result.landed).toMatchObject({ namespace: "c0", tuple: { destination: "172.18.0.2", destinationPort: 80 } });
    expect(result.answered).toEqual({ protocol: "tcp", source: "192.168.0.100", sourcePort: 8080, destination: "192.168.0.1", destinationPort: 40000 });
    expect(tuplesAt(result, "wan", "wan0", "reply").map(formatFlowTuple)).toEqual(["tcp 192.168.0.100:8080 > 192.168.0.1:40000"]);
  });

  it("times out where a firewall drops, and says so with the commands a person would type", () => {
    const world = containerHost({ listeners: [{ namespace: "wan", protocol: "tcp", port: 80 }], extra: ["iptables -P FORWARD DROP"] }).world();
    const result = runFlow(world, { protocol: "tcp", from: "c0", to: "8.8.8.8", port: 80, waitSeconds: 2 });
    expect(result.outcome).toBe("timeout");
    expect(result.ended - result.started).toBe(2_000_000);
    expect(tuplesAt(result, "wan", undefined, "original")).toEqual([]);
    expect(flowCommand({ protocol: "udp", from: "", to: "8.8.8.8", port: 53 })).toBe("nc -u -v -z -w 1 8.8.8.8 53");
    expect(flowCommand({ protocol: "icmp", from: "c0", to: "8.8.8.8", waitSeconds: 2 })).toBe("ip netns exec c0 ping -c 1 -W 2 8.8.8.8");
  });
});
