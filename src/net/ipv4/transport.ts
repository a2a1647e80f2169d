// TCP and UDP delivery to sockets (net/ipv4/tcp_ipv4.c: tcp_v4_rcv,
// tcp_v4_send_reset; udp.c: __udp4_lib_rcv). The handshake is modelled as
// packets: SYN answered by SYN-ACK from a listener (which makes the server's
// side of the connection, a socket of its own), or by RST; a segment on a
// connected 4-tuple goes to that socket's receive queue; UDP to a closed
// port is answered by ICMP port unreachable. What a server's program writes
// back is its own business (sockDataReady); the model moves first lines
// of data only.
import type { NetDevice } from "../../model/netdevice.js";
import type { NetworkNamespace } from "../../model/netns.js";
import { ICMP_DEST_UNREACH, ICMP_PORT_UNREACH, type Ipv4Packet, type TcpSegment } from "../../model/packet.js";
import type { Socket } from "../../model/socket.js";
import { inetLookupEstablished, inetLookupListener, sockCreate, sockDataReady, sockRelease, timerStop } from "../core/sock.js";
import { recordStep, traceTime, type Simulation } from "../simulation.js";
import { icmpSend } from "./icmp.js";
import { ipLocalOut } from "./ip-output.js";
import { ipRouteOutput } from "./route.js";
import { tcpReceiveSegment, tcpResetFields, tcpSegmentFields } from "./tcp-output.js";

/** A segment of the server's side of a connection back to its client (the kernel's, or the program's close), from the address the client reached. */
function sendSegment(simulation: Simulation, namespace: NetworkNamespace, connection: Socket, flags: TcpSegment["flags"], payloadLength: number): void {
  const fields = tcpSegmentFields(connection, flags, Math.max(0, payloadLength - (flags.syn ? 40 : 32)), simulation.world.clock);
  const reply: Ipv4Packet = { source: connection.address, destination: connection.remoteAddress ?? 0, ttl: 64, transport: { protocol: "tcp", sourcePort: connection.port, destinationPort: connection.remotePort ?? 0, flags, ...fields }, payloadLength };
  const route = ipRouteOutput(namespace, reply.destination, { source: reply.source });
  if (route.ok) ipLocalOut(simulation, namespace, route.route, reply);
}

/** Into the socket's receive queue (sk_add_backlog / __skb_queue_tail). */
function enqueue(simulation: Simulation, socket: Socket | undefined, packet: Ipv4Packet): void {
  if (socket?.protocol === "tcp") tcpReceiveSegment(socket, packet);
  socket?.receiveQueue?.push({ time: simulation.world.clock, packet });
}

/** tcp_rcv_synsent_state_process() and tcp_reset(): a connecting socket learns how its connect() ended. */
function clientSegment(simulation: Simulation, socket: Socket | undefined, packet: Ipv4Packet, transport: TcpSegment): void {
  if (!socket) return;
  if (socket.state === "syn-sent" && (transport.flags.rst || (transport.flags.syn && transport.flags.ack))) {
    timerStop(simulation.world, socket.retransmitTimer);
    delete socket.retransmitTimer;
    if (transport.flags.rst) {
      socket.state = "close";
      socket.error = "ECONNREFUSED";
    } else socket.state = "established";
  } else if (transport.flags.rst) {
    socket.state = "close";
    socket.error = "ECONNRESET";
  }
  enqueue(simulation, socket, packet);
}

export function transportRcv(simulation: Simulation, namespace: NetworkNamespace, device: NetDevice, packet: Ipv4Packet): void {
  const transport = packet.transport;
  if (transport.protocol === "icmp") return;
  const stage = transport.protocol === "tcp" ? "tcp_v4_rcv" : "udp_rcv";
  if (transport.protocol === "udp") {
    const socket = inetLookupEstablished(namespace, "udp", packet.destination, transport.destinationPort, packet.source, transport.sourcePort) ?? inetLookupListener(namespace, "udp", packet.destination, transport.destinationPort);
    if (socket) {
      if (simulation.steps !== null) recordStep(simulation, { device: device.name, stage, packet, verdict: "deliver", reason: { code: "udp-listener", port: transport.destinationPort }, namespace: namespace.name, time: traceTime(simulation) });
      simulation.deliveries.push({ namespaceId: namespace.id, packet });
      enqueue(simulation, socket, packet);
      return;
    }
    if (simulation.steps !== null) recordStep(simulation, { device: device.name, stage, packet, verdict: "drop", dropReason: "NO_SOCKET", reason: { code: "udp-no-socket", port: transport.destinationPort }, namespace: namespace.name, time: traceTime(simulation) });
    icmpSend(simulation, namespace, packet, ICMP_DEST_UNREACH, ICMP_PORT_UNREACH, device);
    return;
  }
  const connection = inetLookupEstablished(namespace, "tcp", packet.destination, transport.destinationPort, packet.source, transport.sourcePort);
  const accepted = connection?.acceptedBy !== undefined ? connection : undefined;
  const client = accepted ? undefined : connection;
  if (transport.flags.rst) {
    if (simulation.steps !== null) recordStep(simulation, { device: device.name, stage, packet, verdict: "deliver", reason: { code: "tcp-refused" }, namespace: namespace.name, time: traceTime(simulation) });
    simulation.deliveries.push({ namespaceId: namespace.id, packet });
    if (accepted) sockRelease(namespace, accepted);
    else clientSegment(simulation, client, packet, transport);
    return;
  }
  if (transport.flags.syn && transport.flags.ack) {
    if (simulation.steps !== null) recordStep(simulation, { device: device.name, stage, packet, verdict: "deliver", reason: { code: "tcp-accepted" }, namespace: namespace.name, time: traceTime(simulation) });
    simulation.deliveries.push({ namespaceId: namespace.id, packet });
    clientSegment(simulation, client, packet, transport);
    return;
  }
  if (!transport.flags.syn) {
    if (accepted) {
      if (!transport.flags.fin) {
        if (simulation.steps !== null) recordStep(simulation, { device: device.name, stage, packet, verdict: "deliver", reason: { code: "tcp-server-segment", data: transport.data !== undefined }, namespace: namespace.name, time: traceTime(simulation) });
        tcpReceiveSegment(accepted, packet);
        if (transport.data !== undefined) {
          accepted.receiveQueue?.push({ time: simulation.world.clock, packet });
          sockDataReady(simulation, namespace, accepted, transport.data);
        }
        return;
      }
      // The rest of a connection: the server answers the client's FIN with its own (its program closes too).
      tcpReceiveSegment(accepted, packet);
      sockRelease(namespace, accepted);
      if (accepted.finSent) {
        if (simulation.steps !== null) recordStep(simulation, { device: device.name, stage, packet, verdict: "deliver", reason: { code: "tcp-last-ack" }, namespace: namespace.name, time: traceTime(simulation) });
        sendSegment(simulation, namespace, accepted, { ack: true }, 32);
        return;
      }
      if (simulation.steps !== null) recordStep(simulation, { device: device.name, stage, packet, verdict: "deliver", reason: { code: "tcp-fin-ack" }, namespace: namespace.name, time: traceTime(simulation) });
      sendSegment(simulation, namespace, accepted, { fin: true, ack: true }, 32);
      return;
    }
    if (simulation.steps !== null) recordStep(simulation, { device: device.name, stage, packet, verdict: "deliver", reason: { code: "tcp-client-segment", fin: transport.flags.fin === true, data: transport.data !== undefined }, namespace: namespace.name, time: traceTime(simulation) });
    simulation.deliveries.push({ namespaceId: namespace.id, packet });
    clientSegment(simulation, client, packet, transport);
    return;
  }
  const listener = inetLookupListener(namespace, "tcp", packet.destination, transport.destinationPort);
  if (accepted && listener) {
    // A retransmitted SYN of a connection already accepted: its SYN-ACK again, with the same ISN.
    if (simulation.steps !== null) recordStep(simulation, { device: device.name, stage, packet, verdict: "deliver", reason: { code: "tcp-syn-retransmit" }, namespace: namespace.name, time: traceTime(simulation) });
    sendSegment(simulation, namespace, accepted, { syn: true, ack: true }, 40);
    return;
  }
  if (listener) {
    if (simulation.steps !== null) recordStep(simulation, { device: device.name, stage, packet, verdict: "deliver", reason: { code: "tcp-listener", port: transport.destinationPort }, namespace: namespace.name, time: traceTime(simulation) });
    if (!listener.keepListening) listener.open = false;
    const connection = sockCreate(simulation.world, namespace, "tcp", {
      port: transport.destinationPort,
      address: packet.destination,
      remoteAddress: packet.source,
      remotePort: transport.sourcePort,
      state: "established",
      ...(listener.id !== undefined ? { acceptedBy: listener.id } : { acceptedBy: 0 }),
      ...(listener.server ? { server: listener.server } : {}),
    });
    // tcp_conn_request(): the server's ISN and what it acknowledges.
    tcpReceiveSegment(connection, packet);
    sendSegment(simulation, namespace, connection, { syn: true, ack: true }, 40);
    return;
  }
  if (simulation.steps !== null) recordStep(simulation, { device: device.name, stage, packet, verdict: "drop", dropReason: "NO_SOCKET", reason: { code: "tcp-no-socket", port: transport.destinationPort, address: packet.destination }, namespace: namespace.name, time: traceTime(simulation) });
  const reply: Ipv4Packet = { source: packet.destination, destination: packet.source, ttl: 64, transport: { protocol: "tcp", sourcePort: transport.destinationPort, destinationPort: transport.sourcePort, ...tcpResetFields(packet) }, payloadLength: 20 };
  const route = ipRouteOutput(namespace, packet.source, { source: packet.destination });
  if (route.ok) ipLocalOut(simulation, namespace, route.route, reply);
}
