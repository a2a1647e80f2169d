import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { namespaceByName, rootNamespace } from "../../src/net/core/net-namespace.js";
import { containerHost, containerHostArbitrary, dockerHost, inSubnet, runFlow, runLine } from "../../src/testing/index.js";

describe("testing/worlds", () => {
  it("a container host is the walkthrough's world: bridge, containers, uplink, MASQUERADE", () => {
    const host = containerHost({ containers: 3 });
    expect(host.containers.map((container) => `${container.name} ${container.address}`)).toEqual(["c0 172.18.0.2", "c1 172.18.0.3", "c2 172.18.0.4"]);
    expect(host.bridgeAddress).toBe("172.18.0.1");
    const world = host.world();
    expect(runLine(world, "iptables -t nat -S POSTROUTING").stdout).toBe("-P POSTROUTING ACCEPT\n-A POSTROUTING -s 172.18.0.0/16 ! -o br0 -j MASQUERADE\n");
    expect(namespaceByName(world, "c2")).toBeDefined();
    expect(rootNamespace(world).sysctl.confAll.forwarding).toBe(true);
    expect(String(host)).toContain("ip link add veth2 type veth peer name eth0 netns c2\n");
  });

  it("generated container hosts build, keep containers in their subnet and the uplink outside it", () => {
    fc.assert(
      fc.property(containerHostArbitrary({ maxPortForwards: 2 }), (host) => {
        host.world();
        for (const container of host.containers) expect(inSubnet(host.subnet, container.address)).toBe(true);
        expect(inSubnet(host.subnet, host.uplink.address)).toBe(false);
        for (const address of host.internet) expect(inSubnet(host.subnet, address) || inSubnet(host.uplink.prefix, address)).toBe(false);
        for (const forward of host.portForwards) expect(forward.container).toBeLessThan(host.containers.length);
      }),
      { seed: 3, numRuns: 30 },
    );
  });

  it("a Docker host has Docker's ruleset: published ports work, networks are isolated", () => {
    const host = dockerHost({
      networks: [
        { bridge: "docker0", subnet: "172.17.0.0/16", containers: 2 },
        { bridge: "br-5d3c1a7e9f21", subnet: "172.19.0.0/16", containers: 1 },
      ],
      publish: [{ protocol: "tcp", hostPort: 8080, network: 1, container: 0, containerPort: 80 }],
    });
    const world = host.world();
    expect(runLine(world, "iptables -t nat -S DOCKER").stdout).toBe("-N DOCKER\n-A DOCKER -i br-5d3c1a7e9f21 -j RETURN\n-A DOCKER -i docker0 -j RETURN\n-A DOCKER ! -i br-5d3c1a7e9f21 -p tcp -m tcp --dport 8080 -j DNAT --to-destination 172.19.0.2:80\n");
    expect(runFlow(world, { protocol: "tcp", from: "wan", to: host.uplink.address, port: 8080 }).landed?.namespace).toBe("ctr2");
    expect(runFlow(world, { protocol: "tcp", from: "", to: host.uplink.address, port: 8080 }).landed?.namespace).toBe("ctr2");
    expect(runFlow(world, { protocol: "icmp", from: "ctr0", to: "172.17.0.3" }).outcome).toBe("connected");
    expect(runFlow(world, { protocol: "icmp", from: "ctr0", to: "172.19.0.2" }).outcome).toBe("timeout");
    expect(runFlow(world, { protocol: "icmp", from: "ctr0", to: "8.8.8.8" }).outcome).toBe("connected");
  });
});
