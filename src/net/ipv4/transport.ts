// TCP and UDP delivery to sockets (net/ipv4/tcp_ipv4.c: tcp_v4_rcv,
// tcp_v4_send_reset; udp.c: __udp4_lib_rcv). The handshake is modelled as
// packets only: SYN answered by SYN-ACK from a listener, or by RST; UDP to a
// closed port answered by ICMP port unreachable.
import { formatIpv4Address } from "../../model/address.js";
import type { NetDevice } from "../../model/netdevice.js";
import type { NetworkNamespace } from "../../model/netns.js";
import { ICMP_DEST_UNREACH, ICMP_PORT_UNREACH, type Ipv4Packet, type TcpSegment } from "../../model/packet.js";
import { recordStep, traceTime, type Simulation } from "../simulation.js";
import { icmpSend } from "./icmp.js";
import { ipLocalOut } from "./ip-output.js";
import { ipRouteOutput } from "./route.js";

function listenerFor(namespace: NetworkNamespace, protocol: "tcp" | "udp", address: number, port: number) {
  for (const socket of namespace.sockets) if (socket.open && socket.protocol === protocol && socket.port === port && (socket.address === 0 || socket.address === address)) return socket;
  return undefined;
}

/** Connections a listener accepted during this simulation (the server half of the handshake), by both ends. */
const ACCEPTED = new WeakMap<Simulation, Set<string>>();

function acceptedConnections(simulation: Simulation): Set<string> {
  let set = ACCEPTED.get(simulation);
  if (!set) {
    set = new Set();
    ACCEPTED.set(simulation, set);
  }
  return set;
}

function connectionKey(namespace: NetworkNamespace, packet: Ipv4Packet): string {
  const transport = packet.transport as TcpSegment;
  return `${namespace.id} ${packet.destination}:${transport.destinationPort} ${packet.source}:${transport.sourcePort}`;
}

/** A segment back to the sender of `packet`, from the address it was sent to. */
function sendSegment(simulation: Simulation, namespace: NetworkNamespace, packet: Ipv4Packet, flags: TcpSegment["flags"]): void {
  const transport = packet.transport as TcpSegment;
  const reply: Ipv4Packet = { source: packet.destination, destination: packet.source, ttl: 64, transport: { protocol: "tcp", sourcePort: transport.destinationPort, destinationPort: transport.sourcePort, flags }, payloadLength: 32 };
  const route = ipRouteOutput(namespace, packet.source, { source: packet.destination });
  if (route.ok) ipLocalOut(simulation, namespace, route.route, reply);
}

export function transportRcv(simulation: Simulation, namespace: NetworkNamespace, device: NetDevice, packet: Ipv4Packet): void {
  const transport = packet.transport;
  if (transport.protocol === "icmp") return;
  const listener = listenerFor(namespace, transport.protocol, packet.destination, transport.destinationPort);
  const stage = transport.protocol === "tcp" ? "tcp_v4_rcv" : "udp_rcv";
  if (transport.protocol === "udp") {
    if (listener) {
      if (simulation.steps !== null) recordStep(simulation, { device: device.name, stage, packet, verdict: "deliver", why: `a socket listens on udp port ${transport.destinationPort}`, namespace: namespace.name, time: traceTime(simulation) });
      simulation.deliveries.push({ namespaceId: namespace.id, packet });
      return;
    }
    if (simulation.steps !== null) recordStep(simulation, { device: device.name, stage, packet, verdict: "drop", dropReason: "NO_SOCKET", why: `nothing listens on udp port ${transport.destinationPort}: ICMP port unreachable goes back`, namespace: namespace.name, time: traceTime(simulation) });
    icmpSend(simulation, namespace, packet, ICMP_DEST_UNREACH, ICMP_PORT_UNREACH, device);
    return;
  }
  if (transport.flags.rst) {
    if (simulation.steps !== null) recordStep(simulation, { device: device.name, stage, packet, verdict: "deliver", why: "a reset: the connection attempt is refused", namespace: namespace.name, time: traceTime(simulation) });
    simulation.deliveries.push({ namespaceId: namespace.id, packet });
    return;
  }
  if (transport.flags.syn && transport.flags.ack) {
    if (simulation.steps !== null) recordStep(simulation, { device: device.name, stage, packet, verdict: "deliver", why: "SYN-ACK: the connection is accepted", namespace: namespace.name, time: traceTime(simulation) });
    simulation.deliveries.push({ namespaceId: namespace.id, packet });
    return;
  }
  const key = connectionKey(namespace, packet);
  const accepted = acceptedConnections(simulation);
  if (!transport.flags.syn) {
    // The rest of a connection: the server answers the client's FIN with its own (nc closes too).
    if (accepted.has(key)) {
      if (!transport.flags.fin) {
        if (simulation.steps !== null) recordStep(simulation, { device: device.name, stage, packet, verdict: "deliver", why: "an ACK on an accepted connection", namespace: namespace.name, time: traceTime(simulation) });
        return;
      }
      accepted.delete(key);
      if (simulation.steps !== null) recordStep(simulation, { device: device.name, stage, packet, verdict: "deliver", why: "the client closes; the server closes too: FIN-ACK goes back", namespace: namespace.name, time: traceTime(simulation) });
      sendSegment(simulation, namespace, packet, { fin: true, ack: true });
      return;
    }
    if (simulation.steps !== null) recordStep(simulation, { device: device.name, stage, packet, verdict: "deliver", why: transport.flags.fin ? "the server closes the connection" : "an ACK for the client", namespace: namespace.name, time: traceTime(simulation) });
    simulation.deliveries.push({ namespaceId: namespace.id, packet });
    return;
  }
  let answer: TcpSegment;
  if (listener && transport.flags.syn) {
    if (simulation.steps !== null) recordStep(simulation, { device: device.name, stage, packet, verdict: "deliver", why: `a listener on tcp port ${transport.destinationPort} accepts: SYN-ACK goes back`, namespace: namespace.name, time: traceTime(simulation) });
    answer = { protocol: "tcp", sourcePort: transport.destinationPort, destinationPort: transport.sourcePort, flags: { syn: true, ack: true } };
    if (!listener.keepListening) listener.open = false;
    accepted.add(key);
  } else {
    if (simulation.steps !== null) recordStep(simulation, { device: device.name, stage, packet, verdict: "drop", dropReason: "NO_SOCKET", why: `nothing listens on tcp port ${transport.destinationPort} at ${formatIpv4Address(packet.destination)}: a reset goes back`, namespace: namespace.name, time: traceTime(simulation) });
    answer = { protocol: "tcp", sourcePort: transport.destinationPort, destinationPort: transport.sourcePort, flags: { rst: true, ack: true } };
  }
  const reply: Ipv4Packet = { source: packet.destination, destination: packet.source, ttl: 64, transport: answer, payloadLength: answer.flags.syn ? 40 : 20 };
  const route = ipRouteOutput(namespace, packet.source, { source: packet.destination });
  if (route.ok) ipLocalOut(simulation, namespace, route.route, reply);
}
