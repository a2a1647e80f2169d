import { it, expect } from "vitest";
import { containerHost, runFlow, formatFlowTuple } from "../../src/testing/index.js";
it("smoke", () => {
  const host = containerHost({ listeners: [{ namespace: "wan", protocol: "tcp", port: 80 }, { namespace: "wan", protocol: "udp", port: 53 }], portForwards: [{ protocol: "tcp", hostPort: 8080, container: 0, containerPort: 80 }] });
  const world = host.world();
  for (const flow of [
    { protocol: "tcp" as const, from: "c0", to: "8.8.8.8", port: 80, sourcePort: 5000 },
    { protocol: "tcp" as const, from: "c1", to: "8.8.8.8", port: 80, sourcePort: 5000 },
    { protocol: "udp" as const, from: "c0", to: "8.8.8.8", port: 53 },
    { protocol: "icmp" as const, from: "c0", to: "8.8.8.8" },
    { protocol: "tcp" as const, from: "wan", to: "192.168.0.100", port: 8080 },
    { protocol: "udp" as const, from: "c0", to: "8.8.8.8", port: 54 },
  ]) {
    const r = runFlow(world, flow);
    console.log(r.outcome, r.error, formatFlowTuple(r.sent), r.landed && `${r.landed.namespace}/${r.landed.device} ${formatFlowTuple(r.landed.tuple)}`, r.answered && formatFlowTuple(r.answered));
    if (false) for (const h of r.hops) console.log("   ", h.direction, h.namespace, h.device, h.stage, formatFlowTuple(h.tuple), h.tupleAfter ? "-> " + formatFlowTuple(h.tupleAfter) : "");
    console.log(r.conntrack.map((c) => `${c.namespace} #${c.id} ${formatFlowTuple(c.original)} | ${formatFlowTuple(c.reply)} ${c.tcpState ?? ""}`));
  }
  expect(1).toBe(1);
});
