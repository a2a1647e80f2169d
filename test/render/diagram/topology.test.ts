import { describe, expect, it } from "vitest";
import { buildTopology } from "../../../src/render/diagram/topology.js";
import { simulate, TWO_HOSTS } from "../../support/simulate.js";

/** A host with a bridge and N containers c1..cN on it, each over a veth pair. */
export function bridgedContainers(count: number): string {
  return `ip link add br0 type bridge
ip link set br0 up
ip addr add 10.1.0.1/16 dev br0
for n in $(seq 1 ${count}); do
  ip netns add c$n
  ip link add v$n type veth peer name eth0 netns c$n
  ip link set v$n master br0
  ip link set v$n up
  ip -n c$n addr add 10.1.0.$((n + 1))/16 dev eth0
  ip -n c$n link set eth0 up
done
`;
}

describe("buildTopology", () => {
  it("reads namespaces, devices, addresses, states and veth pairs from the world", async () => {
    const run = await simulate(TWO_HOSTS);
    const topology = buildTopology(run.world);
    expect(topology.namespaces.map((namespace) => namespace.label)).toEqual(["root namespace", "a", "b"]);
    const a = topology.namespaces[1]!;
    expect(a.devices.map((device) => [device.name, device.state, device.addresses])).toEqual([
      ["lo", "UNKNOWN", ["127.0.0.1/8"]],
      ["va", "UP", ["10.0.0.1/24"]],
    ]);
    expect(a.notes).toEqual(["ip_forward=0"]);
    const va = a.devices[1]!.id;
    const vb = topology.namespaces[2]!.devices[1]!.id;
    expect(topology.edges).toEqual([{ id: `veth-${va}-${vb}`.replace(/dev-/g, ""), kind: "veth", from: va, to: vb }]);
    expect(topology.collapsed).toEqual([]);
  });

  it("shows a down device as DOWN and a lone veth end as LOWERLAYERDOWN", async () => {
    const run = await simulate("ip link add x type veth peer name y\nip link set x up\n");
    const devices = buildTopology(run.world).namespaces[0]!.devices;
    expect(devices.find((device) => device.name === "x")?.state).toBe("LOWERLAYERDOWN");
    expect(devices.find((device) => device.name === "y")?.state).toBe("DOWN");
  });

  it("marks the uplink and puts the namespace beyond it outside, above the host", async () => {
    const run = await simulate(`ip netns add wan
ip link add eth0 type veth peer name wan0 netns wan
ip addr add 192.168.0.100/16 dev eth0
ip link set eth0 up
ip -n wan link set wan0 up
ip route add default via 192.168.0.1
`);
    const topology = buildTopology(run.world);
    expect(topology.namespaces.map((namespace) => namespace.role)).toEqual(["host", "outside"]);
    expect(topology.namespaces[0]!.devices.filter((device) => device.uplink).map((device) => device.name)).toEqual(["eth0"]);
    expect(topology.namespaces[0]!.notes).toContain("default via 192.168.0.1 dev eth0");
    // The outside end is the upper end of the cable.
    expect(topology.edges).toEqual([{ id: "veth-1-2-0-2", kind: "veth", from: "dev-1-2", to: "dev-0-2" }]);
  });

  it("draws up to 20 namespaces in full, bridge ports included", async () => {
    const run = await simulate(bridgedContainers(19));
    const topology = buildTopology(run.world);
    expect(topology.namespaces).toHaveLength(20);
    expect(topology.collapsed).toEqual([]);
    expect(topology.edges.filter((edge) => edge.kind === "port")).toHaveLength(19);
    expect(topology.edges.filter((edge) => edge.kind === "veth")).toHaveLength(19);
  });

  it("folds repeated containers in a larger world, with their host ends", async () => {
    const run = await simulate(bridgedContainers(100));
    const topology = buildTopology(run.world, { keep: new Set(["c50"]) });
    expect(topology.namespaces.map((namespace) => namespace.label)).toEqual(["root namespace", "c1", "c2", "c50"]);
    expect(topology.collapsed).toHaveLength(1);
    const group = topology.collapsed[0]!;
    expect(group.like).toBe("c50");
    expect(group.names).toHaveLength(97);
    expect(group.names).not.toContain("c50");
    expect(group.attachTo).toBe("dev-0-2");
    // Only the drawn containers' host ends remain on the bridge.
    expect(topology.namespaces[0]!.devices.map((device) => device.name)).toEqual(["lo", "br0", "v1", "v2", "v50"]);
    expect(topology.edges.filter((edge) => edge.kind === "port")).toHaveLength(3);
  });
});
