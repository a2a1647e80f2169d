// The README's worked example, run as a test so it cannot rot: the README
// shows this file with the import from "netsim/testing".
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { containerHost, flow, flowScenario, invertFlowTuple, port, reportAsScenario, runFlow, tuplesAt } from "../src/testing/index.js";

// My host: containers c0 and c1 on br0 (172.18.0.0/16) behind MASQUERADE,
// port 8080 published to c0:80, a database on c1:5432 that must stay
// private, and a FORWARD policy of DROP with the rules that let traffic out.
const myHost = containerHost({
  containers: 2,
  subnet: "172.18.0.0/16",
  internet: ["203.0.113.7", "198.51.100.20"],
  listeners: [
    { namespace: "wan", protocol: "tcp", port: 443 },
    { namespace: "c1", protocol: "tcp", port: 5432 },
  ],
  portForwards: [{ protocol: "tcp", hostPort: 8080, container: 0, containerPort: 80 }],
  extra: [
    "iptables -P FORWARD DROP",
    "iptables -A FORWARD -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT",
    "iptables -A FORWARD -i br0 -j ACCEPT",
    "iptables -A FORWARD -i eth0 -o br0 -d 172.18.0.2 -p tcp --dport 80 -j ACCEPT",
  ],
});
const containers = myHost.containers.map((container) => container.name);
// A fixed seed keeps CI reproducible; a failure prints the shrunk case as a bash scenario.
const settings = { seed: 42, numRuns: 30, reporter: reportAsScenario };

describe("my NAT and firewall rules", () => {
  it("every container reaches the internet, and the internet sees only the host's address", () => {
    const outbound = fc.array(flow({ from: containers, to: myHost.internet, protocols: ["tcp"], ports: [443] }), { minLength: 1, maxLength: 4 });
    fc.assert(
      fc.property(outbound.map((flows) => flowScenario(myHost, flows)), (scenario) => {
        const world = scenario.world();
        for (const each of scenario.flows) {
          const result = runFlow(world, each);
          expect(result.outcome).toBe("connected");
          expect(result.answered).toEqual(invertFlowTuple(result.sent));
          for (const seen of tuplesAt(result, "wan", undefined, "original")) expect(seen.source).toBe(myHost.uplink.address);
        }
      }),
      settings,
    );
  });

  it("nothing from outside reaches port 5432", () => {
    const probes = flow({ from: "wan", to: [myHost.uplink.address, ...myHost.containers.map((container) => container.address)], protocols: ["tcp", "udp"], ports: fc.oneof(fc.constant(5432), fc.constant(8080), port()) });
    fc.assert(
      fc.property(fc.array(probes, { minLength: 1, maxLength: 4 }).map((flows) => flowScenario(myHost, flows)), (scenario) => {
        const world = scenario.world();
        for (const each of scenario.flows) {
          const result = runFlow(world, each);
          // The database's socket in c1 never sees it (the host itself may refuse it: nothing listens there).
          const reachedDatabase = result.landed?.namespace === "c1" && result.landed.tuple.destinationPort === 5432;
          expect(reachedDatabase).toBe(false);
        }
      }),
      settings,
    );
  });

  it("the published port lands on c0:80 and answers as host:8080", () => {
    const world = myHost.world();
    const result = runFlow(world, { protocol: "tcp", from: "wan", to: myHost.uplink.address, port: 8080 });
    expect(result.outcome).toBe("connected");
    expect(result.landed).toMatchObject({ namespace: "c0", tuple: { destination: "172.18.0.2", destinationPort: 80 } });
    expect(result.answered).toEqual(invertFlowTuple(result.sent));
    expect(result.conntrack.find((entry) => entry.namespace === "")?.tcpState).toBe("ESTABLISHED");
  });
});
