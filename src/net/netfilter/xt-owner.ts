// The owner match (net/netfilter/xt_owner.c: owner_mt): the uid and gid of
// the socket that sent a locally generated packet. The model's senders are
// the scenario's probes, which run as root (uid 0, gid 0, no supplementary
// groups). The model's packets do not carry skb->sk; it stands as: a packet
// at OUTPUT, or at POSTROUTING with a source address of the namespace's own,
// was sent locally; what the stack itself makes (an echo reply, an ICMP
// error, a TCP reset) goes out through the kernel's own control sockets, on
// which no owner test matches, not even ! --socket-exists (as the kernel
// answered: test/fixtures/iptables-t/behaviour.sh); the rest is a probe's.
import type { OwnerMatch } from "../../model/netfilter.js";
import { addressType } from "./xt-addrtype.js";
import type { MatchContext, XtMatch } from "./xt-match-context.js";
import type { MatchMismatch } from "../../model/trace-reason.js";

const PROBE_UID = 0;
const PROBE_GID = 0;

// The answers that carry no data, made once.
const SENT_BY_KERNEL: MatchMismatch = { match: "owner", cause: "kernel" };
const NO_SOCKET: MatchMismatch = { match: "owner", cause: "no-socket" };
const HAS_SOCKET: MatchMismatch = { match: "owner", cause: "has-socket" };

/** Who sent the packet: a probe's socket, the stack's own control socket, or nobody here (forwarded, received). */
function sender(context: MatchContext): "probe" | "kernel" | "none" {
  const local = context.hook === "OUTPUT" || (context.hook === "POSTROUTING" && context.in === undefined && addressType(context.namespace, context.packet.source) === "LOCAL");
  if (!local) return "none";
  const transport = context.packet.transport;
  // Requests (echo 8, timestamp 13, address mask 17) come from a socket; every other ICMP message is the stack's.
  if (transport.protocol === "icmp") return transport.type === 8 || transport.type === 13 || transport.type === 17 ? "probe" : "kernel";
  if (transport.protocol === "tcp" && transport.flags.rst) return "kernel";
  return "probe";
}

function ownerFails(match: OwnerMatch, context: MatchContext): MatchMismatch | undefined {
  const from = sender(context);
  if (from === "kernel") return SENT_BY_KERNEL;
  if (from === "none") {
    // (info->match ^ info->invert) == 0: only tests all inverted hold without a socket.
    const wanted = [match.uid, match.gid, match.socketExists].filter((test) => test !== undefined);
    return wanted.every((test) => test!.invert) ? undefined : NO_SOCKET;
  }
  if (match.socketExists?.invert) return HAS_SOCKET;
  if (match.uid && (PROBE_UID >= match.uid.first && PROBE_UID <= match.uid.last) === match.uid.invert) return { match: "owner-id", which: "uid", id: PROBE_UID };
  if (match.gid && (PROBE_GID >= match.gid.first && PROBE_GID <= match.gid.last) === match.gid.invert) return { match: "owner-id", which: "gid", id: PROBE_GID };
  return undefined;
}

const BUILTIN_HOOKS = new Set(["PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING"]);

export const xtOwner: XtMatch<OwnerMatch> = {
  needsConntrack: false,
  // .hooks = OUTPUT | POSTROUTING; owner_check(): a uid or gid range must not run backwards.
  checkentry(match, _table, chain) {
    if (BUILTIN_HOOKS.has(chain) && chain !== "OUTPUT" && chain !== "POSTROUTING") return "EINVAL";
    if ((match.uid && match.uid.first > match.uid.last) || (match.gid && match.gid.first > match.gid.last)) return "EINVAL";
    return undefined;
  },
  match: (match, context) => ownerFails(match, context) === undefined,
  mismatch: (match, context) => ownerFails(match, context)!,
};
