// One packet of a connection sent from its client's socket layer and the
// engine run until it is back (ip_local_out, then the event loop), as the
// flow-offload and flow-cache properties both drive it.
import { parseIpv4Address } from "../../src/model/address.js";
import type { Ipv4Packet, Transport } from "../../src/model/packet.js";
import type { Socket } from "../../src/model/socket.js";
import type { World } from "../../src/model/world.js";
import { namespaceByName, rootNamespace } from "../../src/net/core/net-namespace.js";
import { runEvents } from "../../src/net/events.js";
import { ipLocalOut } from "../../src/net/ipv4/ip-output.js";
import { ipRouteOutput } from "../../src/net/ipv4/route.js";
import { createSimulation, type PingSocket, type PingSocketEvent } from "../../src/net/simulation.js";

export interface FlowConnection {
  readonly protocol: "icmp" | "udp" | "tcp";
  /** Client namespace ("" for the host). */
  readonly from: string;
  readonly to: string;
  readonly port: number;
  /** Client port, or echo id. */
  readonly sourcePort: number;
}

/** What the sockets saw: the ping socket's events and every TCP/UDP segment (or ICMP error) delivered anywhere. */
export interface FlowObserved {
  readonly error?: string;
  readonly events: readonly PingSocketEvent[];
  readonly deliveries: readonly { readonly namespaceId: number; readonly packet: Ipv4Packet }[];
}

export type TcpFlag = "ack" | "fin" | "rst";

/** Virtual time each packet is given to get there and back (ARP included). */
export const WINDOW = 50_000;

/** The packet's transport: an echo request, a datagram of 9 + index bytes, or a segment (SYN first, then ACK, FIN or reset). */
function transportOf(connection: FlowConnection, index: number, flag: TcpFlag): { transport: Transport; payloadLength: number } {
  if (connection.protocol === "icmp") return { transport: { protocol: "icmp", type: 8, code: 0, id: connection.sourcePort, sequence: index + 1 }, payloadLength: 64 };
  if (connection.protocol === "udp") return { transport: { protocol: "udp", sourcePort: connection.sourcePort, destinationPort: connection.port }, payloadLength: 9 + index };
  const flags = index === 0 ? { syn: true } : flag === "ack" ? { ack: true } : flag === "fin" ? { fin: true, ack: true } : { rst: true };
  return { transport: { protocol: "tcp", sourcePort: connection.sourcePort, destinationPort: connection.port, flags }, payloadLength: index === 0 ? 40 : 32 };
}

/** One packet of `connection`, the engine run for WINDOW; a UDP datagram is echoed back by whoever it reached. */
export function sendFlowPacket(world: World, connection: FlowConnection, index: number, flag: TcpFlag, tracing: boolean): FlowObserved {
  const client = connection.from === "" ? rootNamespace(world) : namespaceByName(world, connection.from)!;
  const destination = parseIpv4Address(connection.to)!;
  const simulation = createSimulation(world, tracing);
  const route = ipRouteOutput(client, destination);
  if (!route.ok) return { error: route.errno, events: [], deliveries: [] };
  const { transport, payloadLength } = transportOf(connection, index, flag);
  const socket: PingSocket = { namespaceId: client.id, echoId: connection.sourcePort, events: [] };
  if (connection.protocol === "icmp") simulation.pingSockets.push(socket);
  let udpSocket: Socket | undefined;
  if (connection.protocol === "udp") {
    udpSocket = { protocol: "udp", port: connection.sourcePort, address: route.route.source, keepListening: true, open: true };
    client.sockets.push(udpSocket);
  }
  ipLocalOut(simulation, client, route.route, { source: route.route.source, destination, ttl: 64, transport, payloadLength });
  let echoed = 0;
  runEvents(simulation, world.clock + WINDOW, () => {
    for (; echoed < simulation.deliveries.length; echoed++) {
      const { namespaceId, packet } = simulation.deliveries[echoed]!;
      if (packet.transport.protocol !== "udp" || namespaceId === client.id) continue;
      const server = world.namespaces.get(namespaceId)!;
      const back = ipRouteOutput(server, packet.source, { source: packet.destination });
      const echo: Ipv4Packet = { source: packet.destination, destination: packet.source, ttl: 64, transport: { protocol: "udp", sourcePort: packet.transport.destinationPort, destinationPort: packet.transport.sourcePort }, payloadLength: packet.payloadLength };
      if (back.ok) ipLocalOut(simulation, server, back.route, echo);
    }
    return false;
  });
  if (udpSocket) client.sockets.splice(client.sockets.indexOf(udpSocket), 1);
  return { events: socket.events, deliveries: simulation.deliveries.map(({ namespaceId, packet }) => ({ namespaceId, packet })) };
}
