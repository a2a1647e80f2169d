// KERNEL-FACTS §3: neighbour resolution (ARP) timing, states and the weak
// host model.
import { describe, expect, it } from "vitest";
import { recordOf, simulate, TWO_HOSTS } from "../../support/simulate.js";

const DUPLICATE_SUBNET = `
ip netns add netns0
ip link add veth0 type veth peer name ceth0
ip link set ceth0 netns netns0
ip link set veth0 up
ip addr add 172.18.0.11/16 dev veth0
ip -n netns0 link set ceth0 up
ip -n netns0 addr add 172.18.0.10/16 dev ceth0
ip netns add netns1
ip link add veth1 type veth peer name ceth1
ip link set ceth1 netns netns1
ip link set veth1 up
ip addr add 172.18.0.21/16 dev veth1
ip -n netns1 link set ceth1 up
ip -n netns1 addr add 172.18.0.20/16 dev ceth1
`;

describe("neighbour resolution", () => {
  it("asks three times, one second apart, then fails and reports host unreachable at 3 s (fact 16)", async () => {
    const run = await simulate(`${DUPLICATE_SUBNET}ping -c 1 172.18.0.20\nip neigh show dev veth0`, { tracing: true });
    const ping = recordOf(run, "ping -c 1 172.18.0.20");
    expect(ping.stdout).toBe(
      "PING 172.18.0.20 (172.18.0.20) 56(84) bytes of data.\nFrom 172.18.0.11 icmp_seq=1 Destination Host Unreachable\n\n--- 172.18.0.20 ping statistics ---\n1 packets transmitted, 0 received, +1 errors, 100% packet loss, time 0ms\n\n",
    );
    expect([ping.exitCode, ping.probe?.outcome]).toEqual([1, "no-reply"]);
    const steps = run.traces[ping.probe!.traceIndex!]!.steps;
    expect(steps.filter((step) => step.stage === "arp_send").map((step) => [step.time, step.device])).toEqual([
      [0, "veth0"],
      [1_000_000, "veth0"],
      [2_000_000, "veth0"],
    ]);
    const failure = steps.find((step) => step.dropReason === "NEIGH_FAILED")!;
    expect(failure.time).toBe(3_000_000);
    // The request never reached the wire: only ARP crossed veth0.
    expect(steps.filter((step) => step.stage === "veth_xmit" && step.packet !== undefined)).toEqual([]);
    expect(recordOf(run, "ip neigh show dev veth0").stdout).toBe("172.18.0.20 FAILED \n");
  });

  it("with -W 1 ping gives up first; ARP goes on and the entry ends FAILED (fact 17)", async () => {
    const run = await simulate(`${DUPLICATE_SUBNET}ping -c 1 -W 1 172.18.0.20\nip neigh show dev veth0\nsleep 3\nip neigh show dev veth0`);
    const ping = recordOf(run, "ping -c 1 -W 1 172.18.0.20");
    expect(ping.stdout).toBe("PING 172.18.0.20 (172.18.0.20) 56(84) bytes of data.\n\n--- 172.18.0.20 ping statistics ---\n1 packets transmitted, 0 received, 100% packet loss, time 0ms\n\n");
    const shows = run.commands.filter((record) => record.argv.join(" ") === "ip neigh show dev veth0");
    expect(shows.map((record) => record.stdout)).toEqual(["172.18.0.20 INCOMPLETE \n", "172.18.0.20 FAILED \n"]);
  });

  it("a new packet to a FAILED entry starts resolution over (fact 18)", async () => {
    const run = await simulate(`${DUPLICATE_SUBNET}ping -c 1 172.18.0.20\nping -c 2 172.18.0.20`);
    const second = recordOf(run, "ping -c 2 172.18.0.20");
    expect(second.stdout.match(/Destination Host Unreachable/g)).toHaveLength(2);
    expect(second.stdout).toContain("2 packets transmitted, 0 received, +2 errors, 100% packet loss");
  });

  it("shows a confirmed neighbour with its address (fact 19)", async () => {
    const run = await simulate(`${TWO_HOSTS}ip netns exec a ping -c 1 10.0.0.2\nip -n a neigh`);
    expect(recordOf(run, "ip -n a neigh").stdout).toMatch(/^10\.0\.0\.2 dev va lladdr [0-9a-f:]{17} REACHABLE \n$/);
  });
});

describe("the weak host model (fact 20)", () => {
  const ROUTER = `
ip netns add host
ip netns add client
ip link add c0 type veth peer name h0
ip link set c0 netns client
ip link set h0 netns host
ip -n host link add h1 type veth peer name h1peer
ip -n host link set h1peer up
ip -n host addr add 10.0.0.1/24 dev h0
ip -n host addr add 10.9.9.9/24 dev h1
ip -n host link set h0 up
ip -n host link set h1 up
ip -n client addr add 10.0.0.2/24 dev c0
ip -n client link set c0 up
ip -n client route add 10.9.9.0/24 dev c0
`;

  it("answers ARP for an address on another device, with the receiving device's MAC", async () => {
    const run = await simulate(`${ROUTER}ip -n host link show h0\nip netns exec client ping -c 1 10.9.9.9\nip -n client neigh`);
    expect(recordOf(run, "ping -c 1 10.9.9.9").probe?.outcome).toBe("reply");
    const h0Mac = /link\/ether ([0-9a-f:]{17})/.exec(recordOf(run, "ip -n host link show h0").stdout)![1];
    expect(recordOf(run, "ip -n client neigh").stdout).toContain(`10.9.9.9 dev c0 lladdr ${h0Mac}`);
  });

  it("answers even while the owning device is down, as its local route survives", async () => {
    const run = await simulate(`${ROUTER}ip -n host link set h1 down\nip netns exec client ping -c 1 10.9.9.9`);
    expect(recordOf(run, "ping -c 1 10.9.9.9").probe?.outcome).toBe("reply");
  });

  it("stays silent with arp_ignore=1 on the receiving device", async () => {
    const run = await simulate(`${ROUTER}ip netns exec host sysctl -q -w net.ipv4.conf.h0.arp_ignore=1\nip netns exec client ping -c 1 -W 1 10.9.9.9\nip netns exec client ping -c 1 10.0.0.1`);
    expect(recordOf(run, "ping -c 1 -W 1 10.9.9.9").probe?.outcome).toBe("no-reply");
    expect(recordOf(run, "ping -c 1 10.0.0.1").probe?.outcome).toBe("reply");
  });

  it("takes the larger of all and the device's arp_ignore", async () => {
    const run = await simulate(`${ROUTER}ip netns exec host sysctl -q -w net.ipv4.conf.all.arp_ignore=1\nip netns exec client ping -c 1 -W 1 10.9.9.9`);
    expect(recordOf(run, "ping -c 1 -W 1 10.9.9.9").probe?.outcome).toBe("no-reply");
  });
});
