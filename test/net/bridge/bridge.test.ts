// KERNEL-FACTS §5 (bridge): learning, flooding, the bridge's own address,
// ports keeping their addresses.
import { describe, expect, it } from "vitest";
import { recordOf, simulate } from "../../support/simulate.js";

const BRIDGE = `
ip link add br0 type bridge
ip link set br0 up
for n in 0 1 2; do
  ip netns add c$n
  ip link add v$n type veth peer name e$n
  ip link set e$n netns c$n
  ip link set v$n master br0
  ip link set v$n up
  ip -n c$n link set e$n up
  ip -n c$n addr add 10.0.0.1$n/24 dev e$n
done
`;

describe("bridge", () => {
  it("refuses a bridging loop by name instead of flooding round it for ever (both ends of one veth pair on one bridge)", async () => {
    const loop = `${BRIDGE}ip link add l0 type veth peer name l1\nip link set l0 master br0\nip link set l1 master br0\nip link set l0 up\nip link set l1 up\nip netns exec c0 ping -c 1 -W 1 10.0.0.11`;
    const run = await simulate(loop);
    expect(run.problems.map((problem) => problem.message)).toEqual([expect.stringContaining("a bridging loop: one frame was flooded 256 times")]);
    // Without the loop the same ping is answered: the limit is not reached by a frame that crosses the bridge once.
    const plain = await simulate(`${BRIDGE}ip netns exec c0 ping -c 1 -W 1 10.0.0.11`);
    expect(plain.problems).toEqual([]);
    expect(recordOf(plain, "ping -c 1 -W 1 10.0.0.11").probe?.outcome).toBe("reply");
  });

  it("floods the ARP broadcast to every other port, then forwards the reply by learned address (fact 29)", async () => {
    const run = await simulate(`${BRIDGE}ip netns exec c0 ping -c 1 10.0.0.11`, { tracing: true });
    const ping = recordOf(run, "ping -c 1 10.0.0.11");
    expect(ping.probe?.outcome).toBe("reply");
    const steps = run.traces[ping.probe!.traceIndex!]!.steps;
    const flood = steps.find((step) => step.stage === "br_flood")!;
    expect(flood.why).toContain("floods it to v1, v2");
    // c2 hears the broadcast but does not answer.
    expect(steps.some((step) => step.namespace === "c2" && step.stage === "arp_rcv" && step.verdict === "drop")).toBe(true);
    // The reply and the echo go port to port by the FDB, not flooded.
    expect(steps.filter((step) => step.stage === "br_forward" && step.verdict === "continue").length).toBeGreaterThanOrEqual(3);
    expect(steps.filter((step) => step.stage === "br_flood")).toHaveLength(1);
  });

  it("learns source addresses on their ports", async () => {
    const run = await simulate(`${BRIDGE}ip netns exec c0 ping -c 1 10.0.0.11`);
    const bridge = [...run.world.namespaces.get(0)!.devices.values()].find((device) => device.name === "br0")!;
    const learned = [...bridge.bridge!.fdb.values()].filter((entry) => !entry.local);
    const portNames = learned.map((entry) => run.world.namespaces.get(0)!.devices.get(entry.portIndex)!.name).sort();
    expect(portNames).toEqual(["v0", "v1"]);
  });

  it("delivers to the bridge's own address (fact 30)", async () => {
    const run = await simulate(`${BRIDGE}ip addr add 10.0.0.1/24 dev br0\nip netns exec c2 ping -c 1 10.0.0.1\nping -c 1 10.0.0.12`);
    expect(recordOf(run, "ping -c 1 10.0.0.1").probe?.outcome).toBe("reply");
    expect(recordOf(run, "ping -c 1 10.0.0.12").probe?.outcome).toBe("reply");
  });

  it("keeps a port's IPv4 address and routes when it is enslaved (fact 31)", async () => {
    const run = await simulate(`ip link add br0 type bridge\nip link add v0 type veth peer name e0\nip link set v0 up\nip link set e0 up\nip addr add 10.5.0.1/24 dev v0\nip link set v0 master br0\nip -4 addr show dev v0\nip route`);
    expect(recordOf(run, "ip -4 addr show dev v0").stdout).toContain("inet 10.5.0.1/24 scope global v0");
    expect(recordOf(run, "ip route").stdout).toContain("10.5.0.0/24 dev v0 proto kernel scope link src 10.5.0.1");
  });

  it("takes the lowest port MAC unless given one, and shows NO-CARRIER once its ports carry nothing (facts 28, FINDINGS 32)", async () => {
    const run = await simulate(`ip link add br0 type bridge
ip link set br0 up
ip link show br0
ip link add v0 address 02:00:00:00:00:09 type veth peer name e0
ip link add v1 address 02:00:00:00:00:05 type veth peer name e1
ip link set v0 master br0
ip link set v1 master br0
ip link show br0`);
    const shows = run.commands.filter((record) => record.argv.join(" ") === "ip link show br0");
    expect(shows[0]!.stdout).toContain("<BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UNKNOWN");
    expect(shows[1]!.stdout).toContain("<NO-CARRIER,BROADCAST,MULTICAST,UP> mtu 1500 qdisc noqueue state DOWN");
    expect(shows[1]!.stdout).toContain("link/ether 02:00:00:00:00:05 ");
  });

  it("drops frames arriving on a port that is down", async () => {
    const run = await simulate(`${BRIDGE}ip link set v1 down\nip netns exec c0 ping -c 1 -W 1 10.0.0.11`);
    expect(recordOf(run, "ping -c 1 -W 1 10.0.0.11").probe?.outcome).toBe("no-reply");
  });
});
