// ICMP (net/ipv4/icmp.c: icmp_rcv, icmp_echo, icmp_reply, __icmp_send).
import type { NetDevice } from "../../model/netdevice.js";
import type { NetworkNamespace } from "../../model/netns.js";
import { ICMP_DEST_UNREACH, ICMP_ECHO, ICMP_ECHO_REPLY, ICMP_HOST_UNREACH, ICMP_NET_ANO, ICMP_NET_UNREACH, ICMP_PORT_UNREACH, ICMP_PROT_UNREACH, ipv4TotalLength, type IcmpMessage, type Ipv4Packet } from "../../model/packet.js";
import { inetLookupEstablished, pingLookup, timerStop } from "../core/sock.js";
import { recordStep, traceTime, type PingSocket, type Simulation } from "../simulation.js";
import { isLocalAddress } from "./arp.js";
import { ipLocalOut } from "./ip-output.js";
import { ipRouteOutput } from "./route.js";

const ICMP_ERROR_TYPES = new Set([ICMP_DEST_UNREACH, 4, 5, 11, 12]);

export function icmpRcv(simulation: Simulation, namespace: NetworkNamespace, device: NetDevice, packet: Ipv4Packet, broadcast: boolean): void {
  const icmp = packet.transport as IcmpMessage;
  if (icmp.type === ICMP_ECHO) {
    if (broadcast) {
      if (simulation.steps !== null) recordStep(simulation, { device: device.name, stage: "icmp_rcv", packet, verdict: "drop", reason: { code: "icmp-echo-broadcast-ignored" }, namespace: namespace.name, time: traceTime(simulation) });
      return;
    }
    if (namespace.sysctl.icmpEchoIgnoreAll) {
      if (simulation.steps !== null) recordStep(simulation, { device: device.name, stage: "icmp_rcv", packet, verdict: "drop", reason: { code: "icmp-echo-ignored" }, namespace: namespace.name, time: traceTime(simulation) });
      return;
    }
    icmpEcho(simulation, namespace, device, packet, icmp);
    return;
  }
  // Echo replies and errors go to the ping sockets of the namespace (ping), or to the TCP/UDP socket whose packet an error quotes.
  const id = icmp.type === ICMP_ECHO_REPLY ? icmp.id : icmp.original && icmp.original.transport.protocol === "icmp" ? icmp.original.transport.id : undefined;
  const owned = pingLookup(namespace, id);
  const socket = owned?.pingEvents ? { events: owned.pingEvents } : pingSocketFor(simulation, namespace.id, id);
  const tcpOrUdp = icmp.original && icmp.original.transport.protocol !== "icmp";
  if (!socket && !tcpOrUdp) {
    if (simulation.steps !== null) recordStep(simulation, { device: device.name, stage: "icmp_rcv", packet, verdict: "drop", dropReason: "NO_SOCKET", reason: { code: "icmp-no-socket" }, namespace: namespace.name, time: traceTime(simulation) });
    return;
  }
  if (simulation.steps !== null) recordStep(simulation, { device: device.name, stage: "socket_deliver", packet, verdict: "deliver", reason: { code: "icmp-to-socket" }, namespace: namespace.name, time: traceTime(simulation) });
  if (tcpOrUdp) {
    simulation.deliveries.push({ namespaceId: namespace.id, packet });
    transportErr(simulation, namespace, packet, icmp);
    return;
  }
  const sequence = icmp.type === ICMP_ECHO_REPLY ? icmp.sequence ?? 0 : icmp.original?.transport.protocol === "icmp" ? icmp.original.transport.sequence ?? 0 : 0;
  socket!.events.push({
    time: simulation.world.clock,
    kind: icmp.type === ICMP_ECHO_REPLY ? "reply" : "error",
    sequence,
    from: packet.source,
    ttl: packet.ttl,
    type: icmp.type,
    code: icmp.code,
  });
}

/** icmp_err_convert[]: the errno a socket gets from an ICMP error about its packet. */
export function icmpErrConvert(type: number, code: number): string {
  if (type !== ICMP_DEST_UNREACH) return "EHOSTUNREACH";
  if (code === ICMP_PORT_UNREACH || code === ICMP_PROT_UNREACH) return "ECONNREFUSED";
  if (code === ICMP_NET_UNREACH || code === ICMP_NET_ANO || code === 6 || code === 11) return "ENETUNREACH";
  return "EHOSTUNREACH";
}

/** tcp_v4_err() / __udp4_lib_err(): the socket that sent the quoted packet hears of the error; a connecting TCP socket fails at once. */
function transportErr(simulation: Simulation, namespace: NetworkNamespace, packet: Ipv4Packet, icmp: IcmpMessage): void {
  const inner = icmp.original!;
  const quoted = inner.transport;
  if (quoted.protocol === "icmp") return;
  const socket = inetLookupEstablished(namespace, quoted.protocol, inner.source, quoted.sourcePort, inner.destination, quoted.destinationPort);
  if (!socket) return;
  socket.receiveQueue?.push({ time: simulation.world.clock, packet });
  if (quoted.protocol === "tcp" && socket.state === "syn-sent") {
    timerStop(simulation.world, socket.retransmitTimer);
    delete socket.retransmitTimer;
    socket.state = "close";
    socket.error = icmpErrConvert(icmp.type, icmp.code);
  }
}

/** A raw socket opened for one simulation only (the packet-path bench), with this echo id. */
function pingSocketFor(simulation: Simulation, namespaceId: number, echoId: number | undefined): PingSocket | undefined {
  for (const socket of simulation.pingSockets) if (socket.namespaceId === namespaceId && socket.echoId === echoId) return socket;
  return undefined;
}

/** icmp_echo() + icmp_reply(): answer from the address the request was sent to. */
function icmpEcho(simulation: Simulation, namespace: NetworkNamespace, device: NetDevice, request: Ipv4Packet, icmp: IcmpMessage): void {
  const route = ipRouteOutput(namespace, request.source, { source: request.destination });
  if (!route.ok) {
    if (simulation.steps !== null) recordStep(simulation, { device: device.name, stage: "icmp_rcv", packet: request, decision: { kind: "no-route", destination: request.source }, verdict: "drop", dropReason: "IP_OUTNOROUTES", reason: { code: "icmp-echo-no-route-back" }, namespace: namespace.name, time: traceTime(simulation) });
    return;
  }
  const reply: Ipv4Packet = {
    source: request.destination,
    destination: request.source,
    ttl: 64,
    transport: { protocol: "icmp", type: ICMP_ECHO_REPLY, code: 0, id: icmp.id ?? 0, sequence: icmp.sequence ?? 0 },
    payloadLength: request.payloadLength,
  };
  if (simulation.steps !== null) recordStep(simulation, { device: device.name, stage: "icmp_rcv", packet: request, packetAfter: reply, decision: { kind: "route", table: route.route.fib?.table ?? "main", candidates: route.route.fib?.candidates ?? [], chosen: route.route.fib!.route, nexthop: route.route.nexthop, source: route.route.source }, verdict: "continue", reason: { code: "icmp-echo-reply", out: route.route.device.name }, namespace: namespace.name, time: traceTime(simulation) });
  ipLocalOut(simulation, namespace, route.route, reply);
}

/**
 * __icmp_send(): an error about `original` back to its sender. Never about
 * an ICMP error (no storms). The source is the address the packet was sent
 * to when it was for this host, else what the route back picks
 * (icmp_errors_use_inbound_ifaddr=0).
 */
export function icmpSend(simulation: Simulation, namespace: NetworkNamespace, original: Ipv4Packet, type: number, code: number, ingress?: NetDevice): void {
  if (original.transport.protocol === "icmp" && ICMP_ERROR_TYPES.has(original.transport.type)) return;
  // A packet that was for this host is answered from the address it was sent to (saddr = iph->daddr
  // when the route is RTCF_LOCAL; measured: a UDP port unreachable from 8.8.8.8 on lo, not from the egress address).
  const local = isLocalAddress(namespace, original.destination);
  const route = ipRouteOutput(namespace, original.source, local ? { source: original.destination } : {});
  if (!route.ok) {
    if (simulation.steps !== null) recordStep(simulation, { ...(ingress ? { device: ingress.name } : {}), stage: "icmp_send", packet: original, verdict: "drop", dropReason: "IP_OUTNOROUTES", reason: { code: "icmp-error-no-route" }, namespace: namespace.name, time: traceTime(simulation) });
    return;
  }
  const error: Ipv4Packet = {
    source: route.route.source,
    destination: original.source,
    ttl: 64,
    transport: { protocol: "icmp", type, code, original },
    // As much of the original as fits in 576 bytes (icmp_send's room: 576 - 20 - 8; measured: 92 for an 84-byte echo).
    payloadLength: 8 + Math.min(ipv4TotalLength(original), 548),
  };
  if (simulation.steps !== null) recordStep(simulation, { ...(ingress ? { device: ingress.name } : {}), stage: "icmp_send", packet: error, verdict: "continue", reason: { code: "icmp-error-sent", type, icmpCode: code, to: original.source }, namespace: namespace.name, time: traceTime(simulation) });
  ipLocalOut(simulation, namespace, route.route, error);
}

/** ipv4_link_failure(): the neighbour could not be resolved. */
export function icmpSendHostUnreachable(simulation: Simulation, namespace: NetworkNamespace, original: Ipv4Packet): void {
  icmpSend(simulation, namespace, original, ICMP_DEST_UNREACH, ICMP_HOST_UNREACH);
}
