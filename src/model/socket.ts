// Sockets that probes open: a listener bound to a port, waiting for
// connections (nc -l), in the namespace that started it.
export interface Socket {
  readonly protocol: "tcp" | "udp";
  readonly port: number;
  /** Bound address; 0 for INADDR_ANY. */
  readonly address: number;
  /** `-k`: keeps listening after the first connection. */
  readonly keepListening: boolean;
  /** Still accepting. */
  open: boolean;
}
