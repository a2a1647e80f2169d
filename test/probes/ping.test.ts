import { describe, expect, it } from "vitest";
import { ip } from "../../src/commands/ip/ip.js";
import { ping } from "../../src/commands/ping.js";
import { advanceClock } from "../../src/net/events.js";
import { runCommand, worldAfter } from "../commands/run-command.js";

/** Root 172.18.0.1 on veth0, netns0 172.18.0.10 on ceth0. */
const PAIR = [
  "ip link add veth0 address 02:00:00:00:00:01 type veth peer name ceth0 address 02:00:00:00:00:02",
  "ip netns add netns0",
  "ip link set ceth0 netns netns0",
  "ip addr add 172.18.0.1/16 dev veth0",
  "ip link set veth0 up",
  "ip -n netns0 addr add 172.18.0.10/16 dev ceth0",
  "ip -n netns0 link set ceth0 up",
];
const mask = (text: string) => text.replace(/time=[0-9.]+ ms/g, "time=T ms").replace(/^rtt .*$/m, "rtt").replace(/time \d+ms/, "time Tms");

describe("ping (iputils, as the model runs it)", () => {
  it("prints header, reply and summary; -I ADDR shows `from SRC : `", () => {
    const world = worldAfter(ip, PAIR);
    const printed = runCommand(ping, ["-c", "1", "-I", "172.18.0.10", "172.18.0.1"], world, "netns0");
    expect(mask(printed.stdout)).toBe(
      "PING 172.18.0.1 (172.18.0.1) from 172.18.0.10 : 56(84) bytes of data.\n64 bytes from 172.18.0.1: icmp_seq=1 ttl=64 time=T ms\n\n--- 172.18.0.1 ping statistics ---\n1 packets transmitted, 1 received, 0% packet loss, time Tms\nrtt\n",
    );
    expect(printed.exitCode).toBe(0);
  });

  it("localhost and 0.0.0.0 resolve to 127.0.0.1, and the reply names localhost", () => {
    expect(runCommand(ping, ["-c", "1", "localhost"]).stdout).toContain("64 bytes from localhost (127.0.0.1): icmp_seq=1");
    expect(runCommand(ping, ["-c", "1", "0.0.0.0"]).stdout.split("\n")[0]).toBe("PING 0.0.0.0 (127.0.0.1) 56(84) bytes of data.");
  });

  it("a deadline wins over the count: -c 3 -i 0.2 -w 1 to a silent peer sends 5, exit 1", () => {
    const world = worldAfter(ip, PAIR);
    runCommand(ip, ["-n", "netns0", "link", "set", "ceth0", "down"], world);
    const start = world.clock;
    const printed = runCommand(ping, ["-c", "3", "-i", "0.2", "-w", "1", "172.18.0.10"], world);
    expect(printed.stdout).toContain("5 packets transmitted, 0 received, 100% packet loss");
    expect(printed.stdout).not.toContain("pipe");
    expect(printed.exitCode).toBe(1);
    expect(world.clock - start).toBeLessThanOrEqual(1_000_000);
  });

  it("-I DEV to an address of another device: the bound socket never hears the answer", () => {
    const world = worldAfter(ip, ["ip link add veth0 type veth peer name ceth0", "ip addr add 172.18.0.1/16 dev veth0", "ip link set veth0 up", "ip link set ceth0 up"]);
    const printed = runCommand(ping, ["-c", "1", "-W", "1", "-I", "ceth0", "172.18.0.1"], world);
    expect(printed.stderr).toBe("ping: Warning: source address might be selected on device other than: ceth0\n");
    expect(printed.stdout).toContain("1 packets transmitted, 0 received");
    expect(printed.exitCode).toBe(1);
  });

  it("neighbour states: pinger REACHABLE, replier DELAY, then REACHABLE after the unicast probe (delay_first_probe_time 5 s)", () => {
    const world = worldAfter(ip, PAIR);
    expect(runCommand(ping, ["-c", "1", "172.18.0.1"], world, "netns0").exitCode).toBe(0);
    expect(runCommand(ip, ["-n", "netns0", "neigh"], world).stdout).toBe("172.18.0.1 dev ceth0 lladdr 02:00:00:00:00:01 REACHABLE \n");
    expect(runCommand(ip, ["neigh"], world).stdout).toBe("172.18.0.10 dev veth0 lladdr 02:00:00:00:00:02 DELAY \n");
    advanceClock(world, 4_900_000);
    expect(runCommand(ip, ["neigh"], world).stdout).toContain(" DELAY \n");
    advanceClock(world, 1_000_000);
    expect(runCommand(ip, ["neigh"], world).stdout).toBe("172.18.0.10 dev veth0 lladdr 02:00:00:00:00:02 REACHABLE \n");
    // The probe's ARP request repeats a known address: the pinger's entry is not downgraded.
    expect(runCommand(ip, ["-n", "netns0", "neigh"], world).stdout).toContain(" REACHABLE \n");
  });

  it("the peer going down flushes the entry (neigh_carrier_down), so no probe is left to fail", () => {
    // Measured on the kernel: after `ip -n netns0 link set ceth0 down` and 8 s, `ip neigh` in the root namespace is empty.
    const world = worldAfter(ip, PAIR);
    runCommand(ping, ["-c", "1", "172.18.0.1"], world, "netns0");
    runCommand(ip, ["-n", "netns0", "link", "set", "ceth0", "down"], world);
    advanceClock(world, 5_000_000 + 3_000_000 + 1);
    expect(runCommand(ip, ["neigh"], world).stdout).toBe("");
  });
});
