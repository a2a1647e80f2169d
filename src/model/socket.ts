// Sockets (struct sock, include/net/sock.h + inet_sock.h): owned by a
// namespace, bound to a local address and port, connected to a remote one or
// listening, each with a receive queue the engine fills. Plain data, so a
// snapshot of the world carries its sockets.
import type { Ipv4Packet } from "./packet.js";

/** tcp_states.h, as far as the model goes; UDP and ping sockets are "bound" or "established" (connected). */
export type SocketState = "listen" | "bound" | "syn-sent" | "established" | "time-wait" | "close";

/**
 * What the program behind a listening socket does with a connection it
 * accepts (the model does not move data, only who answers): `silent` never
 * writes (`nc -l`), `http` answers an HTTP request with a status line
 * (python3 -m http.server), `echo` writes back what it reads (socat ...
 * EXEC:cat, and the testing toolkit's UDP echo).
 */
export type ServerKind = "silent" | "http" | "echo";

/** What a ping socket received (raw ICMP socket of iputils ping). */
export interface PingSocketEvent {
  readonly time: number;
  readonly kind: "reply" | "error" | "local-error";
  readonly sequence: number;
  readonly from: number;
  readonly ttl?: number;
  readonly type?: number;
  readonly code?: number;
}

/** A segment, datagram or ICMP error about this socket's traffic, and when it arrived. */
export interface SocketDelivery {
  readonly time: number;
  readonly packet: Ipv4Packet;
}

export interface Socket {
  /** Unique in the world (the socket's inode); absent on sockets made without the socket layer. */
  readonly id?: number;
  readonly protocol: "tcp" | "udp" | "icmp";
  /** Local port (a ping socket: its echo id). */
  port: number;
  /** Bound address; 0 for INADDR_ANY. */
  address: number;
  /** `-k`: keeps listening after the first connection. */
  readonly keepListening: boolean;
  /** Still accepting (listening sockets only). */
  open: boolean;
  /** Bound by bind() (a listener, `nc -p`), not by connect()'s autobind: connect() never shares such a port. */
  explicitBind?: boolean;
  /** Absent: a listening (TCP) or bound (UDP) server socket, as before the socket layer. */
  state?: SocketState;
  remoteAddress?: number;
  remotePort?: number;
  /** sk_receive_queue: what reached this socket, oldest first. */
  receiveQueue?: SocketDelivery[];
  /** A ping socket's replies and errors. */
  pingEvents?: PingSocketEvent[];
  /** Who answers on accepted connections (listening sockets). */
  server?: ServerKind;
  /** A connection a listener accepted: the listener's id (the server's side, answered by its program). */
  acceptedBy?: number;
  /** The server's side has sent its FIN. */
  finSent?: boolean;
  /** The pending retransmission (SYN) timer, if any. */
  retransmitTimer?: number;
  /** sk_err: why the connection failed (an errno name), once it has. */
  error?: string;
  /** A socket in TIME_WAIT holds its port until then (TCP_TIMEWAIT_LEN, 60 s). */
  timeWaitUntil?: number;
  /** tcp_sock's snd_nxt: the sequence number of the next byte this side sends (its ISN until the SYN is out). */
  sndNxt?: number;
  /** tcp_sock's rcv_nxt: what it acknowledges next. */
  rcvNxt?: number;
  /** The peer's last TS val (ts_recent): echoed as TS ecr. */
  tsRecent?: number;
  /** tcp_sock's tsoffset: added to the ms clock in TS val. */
  tsOffset?: number;
  /** Its SYN (or SYN-ACK) went out once: a later one is a retransmission, with the same ISN. */
  synSent?: boolean;
}
