// The socket layer: connect()'s ports (range, parity, the perturbed steps
// measured on the kernel), bind conflicts with TIME_WAIT, timers that leave
// nothing behind, and listeners as processes that a kill closes.
import { describe, expect, it } from "vitest";
import { nc } from "../../src/commands/nc.js";
import { ping } from "../../src/commands/ping.js";
import { ip } from "../../src/commands/ip/ip.js";
import { sysctl } from "../../src/commands/sysctl.js";
import type { CommandOutcome } from "../../src/commands/command.js";
import { namespaceByName } from "../../src/net/core/net-namespace.js";
import { inetHashConnect } from "../../src/net/ipv4/inet-hashtables.js";
import { socketBind, socketClose, socketCreate } from "../../src/net/socket.js";
import { parseIpv4Address } from "../../src/model/address.js";
import { runCommand, worldAfter } from "../commands/run-command.js";

const LINES = ["ip netns add a", "ip netns add b", "ip link add va type veth peer name vb", "ip link set va netns a", "ip link set vb netns b", "ip -n a addr add 10.0.0.1/24 dev va", "ip -n b addr add 10.0.0.2/24 dev vb", "ip -n a link set va up", "ip -n b link set vb up", "ip -n a link set lo up", "ip -n b link set lo up"];

function environment(world: ReturnType<typeof worldAfter>, name: string) {
  return { world, namespace: namespaceByName(world, name)!, tracing: false, stdin: "", commandText: "" };
}

describe("connect()'s source port (__inet_hash_connect)", () => {
  it("is even, inside ip_local_port_range, and moves on by 2 to 16 per connect, as measured", () => {
    const world = worldAfter(ip, LINES);
    const a = namespaceByName(world, "a")!;
    const ports: number[] = [];
    for (let index = 0; index < 50; index++) {
      const port = inetHashConnect(world, a, parseIpv4Address("10.0.0.1")!, parseIpv4Address("10.0.0.2")!, 80)!;
      ports.push(port);
      // Held by a connected socket, as a real connection would.
      Object.assign(socketCreate(world, a, "tcp"), { port, address: parseIpv4Address("10.0.0.1")!, remoteAddress: parseIpv4Address("10.0.0.2")!, remotePort: 80, state: "established" });
    }
    for (const port of ports) {
      expect(port % 2).toBe(0);
      expect(port).toBeGreaterThanOrEqual(32768);
      expect(port).toBeLessThanOrEqual(60999);
    }
    for (let index = 1; index < ports.length; index++) {
      const step = (ports[index]! - ports[index - 1]! + 28232) % 28232;
      expect(step).toBeGreaterThanOrEqual(2);
      expect(step).toBeLessThanOrEqual(16);
    }
  });

  it("follows net.ipv4.ip_local_port_range, and runs out with EADDRNOTAVAIL", () => {
    const world = worldAfter(ip, LINES);
    const env = environment(world, "a");
    expect(runCommand(sysctl, ["-w", "net.ipv4.ip_local_port_range=40000 40003"], world, "a").exitCode).toBe(0);
    expect(runCommand(sysctl, ["-n", "net.ipv4.ip_local_port_range"], world, "a").stdout).toBe("40000\t40003\n");
    const a = env.namespace;
    const taken: number[] = [];
    for (let index = 0; index < 4; index++) {
      const port = inetHashConnect(world, a, 0x0a000001, 0x0a000002, 80);
      expect(port).toBeDefined();
      taken.push(port!);
      const socket = socketCreate(world, a, "tcp");
      expect(socketBind(world, a, socket, 0, port!).ok).toBe(true);
    }
    // Even ports first, then the odd ones.
    expect(taken.slice(0, 2).every((port) => port % 2 === 0)).toBe(true);
    expect(taken.slice(2).every((port) => port % 2 === 1)).toBe(true);
    expect(inetHashConnect(world, a, 0x0a000001, 0x0a000002, 80)).toBeUndefined();
  });
});

describe("nc -p and TIME_WAIT", () => {
  it("binds the source port; the same port again fails while the first connection is in TIME_WAIT (measured)", () => {
    const world = worldAfter(ip, LINES);
    nc(["-lk", "80"], environment(world, "b"));
    expect(runCommand(nc, ["-z", "-v", "-w", "1", "-p", "5000", "10.0.0.2", "80"], world, "a")).toEqual({ stdout: "", stderr: "Connection to 10.0.0.2 80 port [tcp/http] succeeded!\n", exitCode: 0 });
    expect(runCommand(nc, ["-z", "-v", "-w", "1", "-p", "5000", "10.0.0.2", "80"], world, "a")).toEqual({ stdout: "", stderr: "nc: bind failed: Address already in use\n", exitCode: 1 });
    // TCP_TIMEWAIT_LEN later the port is free again.
    runCommand(ip, ["-n", "a", "link", "show"], world);
    world.clock += 61_000_000;
    expect(runCommand(nc, ["-z", "-w", "1", "-p", "5000", "10.0.0.2", "80"], world, "a").exitCode).toBe(0);
  });
});

describe("timers and processes", () => {
  it("a probe leaves no event behind when it ends", () => {
    const world = worldAfter(ip, LINES);
    runCommand(nc, ["-z", "-w", "2", "10.0.0.9", "80"], world, "a");
    expect(world.pending.filter((item) => item.event.kind === "timer")).toEqual([]);
  });

  it("a listener is a process: it keeps running, and a kill closes its socket so the next connect is refused", () => {
    const world = worldAfter(ip, LINES);
    const outcome: CommandOutcome = nc(["-lk", "7002"], environment(world, "b"));
    expect(outcome.kind).toBe("process");
    if (outcome.kind !== "process") return;
    const listener = outcome.process;
    expect(listener.runUntil(world.clock + 1_000_000)).toEqual({ stdout: "", stderr: "" });
    expect(listener.exitCode).toBeUndefined();
    expect(runCommand(nc, ["-z", "-v", "-w", "1", "10.0.0.2", "7002"], world, "a").exitCode).toBe(0);
    listener.kill("TERM");
    // Measured: nc -lk killed with TERM exits 143, and the next connect is refused.
    expect(listener.exitCode).toBe(143);
    expect(runCommand(nc, ["-z", "-v", "-w", "1", "10.0.0.2", "7002"], world, "a")).toEqual({ stdout: "", stderr: "nc: connect to 10.0.0.2 port 7002 (tcp) failed: Connection refused\n", exitCode: 1 });
  });

  it("nc -l without -k serves one connection, then exits 0 and refuses the next (measured)", () => {
    const world = worldAfter(ip, LINES);
    const outcome = nc(["-l", "7000"], environment(world, "b"));
    if (outcome.kind !== "process") throw new Error("expected a process");
    expect(runCommand(nc, ["-z", "-w", "1", "10.0.0.2", "7000"], world, "a").exitCode).toBe(0);
    outcome.process.runUntil(world.clock + 1_000_000);
    expect(outcome.process.exitCode).toBe(0);
    expect(runCommand(nc, ["-z", "-v", "-w", "1", "10.0.0.2", "7000"], world, "a").stderr).toBe("nc: connect to 10.0.0.2 port 7000 (tcp) failed: Connection refused\n");
  });

  it("a background ping keeps sending while other commands run, prints each line as it comes, and its summary when it exits", () => {
    const world = worldAfter(ip, LINES);
    const outcome = ping(["-c", "3", "10.0.0.2"], { ...environment(world, "a"), background: true });
    if (outcome.kind !== "process") throw new Error("expected a process");
    const start = world.clock;
    // What it printed by then, each line with the virtual time it was written at (the job table shows it then).
    const early = outcome.process.runUntil(start + 500_000);
    expect(early.stdout).toMatch(/^PING 10\.0\.0\.2 \(10\.0\.0\.2\) 56\(84\) bytes of data\.\n64 bytes from 10\.0\.0\.2: icmp_seq=1 ttl=64 time=[\d.]+ ms\n$/);
    const times = (early.timed ?? []).map((piece) => piece.time);
    expect(times).toHaveLength(2);
    expect(times[0]).toBe(start);
    expect(times[1]!).toBeGreaterThan(start);
    expect(times[1]!).toBeLessThan(start + 500_000);
    expect(outcome.process.exitCode).toBeUndefined();
    // Another probe in the meantime moves the same clock.
    expect(runCommand(nc, ["-z", "-w", "1", "10.0.0.2", "9"], world, "a").exitCode).toBe(1);
    const output = outcome.process.runUntil(start + 5_000_000);
    expect(outcome.process.exitCode).toBe(0);
    expect(output.stdout).toMatch(/^(64 bytes from 10\.0\.0\.2: icmp_seq=[23] ttl=64 time=[\d.]+ ms\n){2}\n--- 10\.0\.0\.2 ping statistics ---\n3 packets transmitted, 3 received, 0% packet loss, time 2000ms\n/);
    expect(world.pending.filter((item) => item.event.kind === "timer")).toEqual([]);
  });

  it("SIGINT makes a background ping print its summary; SIGTERM ends it silently with 143", () => {
    const world = worldAfter(ip, LINES);
    const interrupted = ping(["-c", "10", "10.0.0.2"], { ...environment(world, "a"), background: true });
    const terminated = ping(["-c", "10", "10.0.0.2"], { ...environment(world, "a"), background: true });
    if (interrupted.kind !== "process" || terminated.kind !== "process") throw new Error("expected processes");
    interrupted.process.runUntil(world.clock + 1_500_000);
    terminated.process.runUntil(world.clock);
    interrupted.process.kill("INT");
    terminated.process.kill("TERM");
    expect(interrupted.process.exitCode).toBe(0);
    expect(interrupted.process.runUntil(world.clock).stdout).toContain("2 packets transmitted, 2 received, 0% packet loss");
    expect(terminated.process.exitCode).toBe(143);
    expect(terminated.process.runUntil(world.clock)).toEqual({ stdout: "", stderr: "", timed: [] });
    expect(world.pending.filter((item) => item.event.kind === "timer")).toEqual([]);
  });

  it("a closed socket leaves its namespace's table", () => {
    const world = worldAfter(ip, LINES);
    const a = namespaceByName(world, "a")!;
    const socket = socketCreate(world, a, "udp");
    socketClose(world, a, socket);
    expect(a.sockets).toEqual([]);
  });
});
