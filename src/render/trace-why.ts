// The sentences of a trace: each step the engine reported (a TraceRecord,
// typed data: src/model/trace-reason.ts) becomes the TraceStep the CLI,
// JSON, explainer and UI read, with its `why` written here from the step's
// reason, packet and ARP message. The engine (src/net) builds no text for a
// trace; a probe's or flow's trace is made from its records once, when the
// probe ends.
import { formatIpv4Address, formatPrefix } from "../model/address.js";
import type { ConntrackTuple } from "../model/conntrack.js";
import { ICMP_ECHO_REPLY, type Ipv4Packet } from "../model/packet.js";
import type { ConntrackEntryView, Decision, NetfilterRecordDecision, SysctlRecordDecision, TraceRecord, TraceStep } from "../model/trace.js";
import type { ConntrackInResult, IptEvent, MartianCause, NftEvent, RouteChoice, TraceReason } from "../model/trace-reason.js";
import { logLine } from "./nf-log.js";
import { namespacePhrase } from "./trace.js";
import { mismatchText } from "./xt-mismatch.js";
import type { Rule } from "../model/netfilter.js";

/** iptables' save form of a rule, which the command layer owns (commands/iptables/rule-format.ts registers it): traces name rules by it. */
let ruleSpecFormatter: ((rule: Rule) => string) | undefined;

export function setRuleSpecFormatter(format: (rule: Rule) => string): void {
  ruleSpecFormatter = format;
}

/** A rule as `iptables -S` prints it (`-A CHAIN` alone when no formatter is loaded: rules made by hand). */
function iptablesRuleText(chain: string, rule: Rule): string {
  const spec = ruleSpecFormatter ? ruleSpecFormatter(rule) : "";
  return spec ? `-A ${chain} ${spec}` : `-A ${chain}`;
}

export function formatTuple(tuple: ConntrackTuple): string {
  const protocol = tuple.protocol === 1 ? "icmp" : tuple.protocol === 6 ? "tcp" : tuple.protocol === 17 ? "udp" : `proto ${tuple.protocol}`;
  if (tuple.protocol === 1) return `${protocol} ${formatIpv4Address(tuple.source)} > ${formatIpv4Address(tuple.destination)} type ${tuple.icmpType ?? 0} id ${tuple.sourcePort}`;
  return `${protocol} ${formatIpv4Address(tuple.source)}:${tuple.sourcePort} > ${formatIpv4Address(tuple.destination)}:${tuple.destinationPort}`;
}

/** A conntrack decision's entry: `#id original TUPLE, reply TUPLE`, "(none)" without one. */
export function formatEntry(entry: ConntrackEntryView | undefined): string {
  if (entry === undefined) return "(none)";
  return `#${entry.id} original ${formatTuple(entry.original)}, reply ${formatTuple(entry.reply)}`;
}

/** A packet's port as the change text shows it: ` id N` for ICMP echo, `:N` for TCP and UDP. */
function portText(packet: Ipv4Packet, side: "source" | "destination"): string {
  const transport = packet.transport;
  if (transport.protocol === "icmp") return transport.id === undefined ? "" : ` id ${transport.id}`;
  return `:${side === "source" ? transport.sourcePort : transport.destinationPort}`;
}

/** One end of a change, `address:port -> address:port`, or undefined when its text stays the same. */
function endChange(before: Ipv4Packet, after: Ipv4Packet, side: "source" | "destination"): string | undefined {
  const from = `${formatIpv4Address(side === "source" ? before.source : before.destination)}${portText(before, side)}`;
  const to = `${formatIpv4Address(side === "source" ? after.source : after.destination)}${portText(after, side)}`;
  return from === to ? undefined : `${side} ${from} -> ${to}`;
}

/** What NAT changed, in words. */
function describeChange(before: Ipv4Packet, after: Ipv4Packet): string {
  const source = endChange(before, after, "source");
  const destination = endChange(before, after, "destination");
  if (source !== undefined && destination !== undefined) return `${source}, ${destination}`;
  if (source !== undefined || destination !== undefined) return (source ?? destination)!;
  return before.transport !== after.transport ? "the quoted packet inside the ICMP error" : "";
}

function deviceText(device: string | number | undefined): string {
  return device === undefined ? "?" : typeof device === "number" ? `if${device}` : device;
}

/** Why a route won, in words: the prefix, and how it beat its equals. */
export function routeChoiceText(choice: RouteChoice): string {
  const route = choice.route;
  const prefix = formatPrefix(route.prefix);
  const via = route.nexthop?.gateway !== undefined ? ` via ${formatIpv4Address(route.nexthop.gateway)}` : "";
  const chosen = `${prefix}${via} dev ${deviceText(choice.chosenDevice)}`;
  const equals: string[] = [];
  choice.candidates.forEach((candidate, index) => {
    if (candidate.metric === route.metric) equals.push(`dev ${deviceText(choice.candidateDevices[index])}`);
  });
  if (equals.length > 1) return `${equals.length} routes for ${prefix} with metric ${route.metric} (${equals.join(", ")}); the kernel takes the first in the list: ${chosen}`;
  return `longest matching prefix in table ${choice.table}: ${chosen}`;
}

function martianText(martian: MartianCause): string {
  switch (martian.cause) {
    case "own-source":
      return `martian source ${formatIpv4Address(martian.source)} on ${martian.device}: that address is this namespace's own`;
    case "rp-filter-strict":
      return `rp_filter=1: the route back to ${formatIpv4Address(martian.source)} does not leave by ${martian.device}, where the packet came in`;
    case "rp-filter-loose":
      return `rp_filter=2: no route back to ${formatIpv4Address(martian.source)}`;
    case "localnet":
      return `${martian.side} in 127.0.0.0/8 arriving on ${martian.device} (route_localnet is 0)`;
    case "zero-source":
      return `martian source 0.0.0.0 on ${martian.device}: an unconfigured source may only send to 255.255.255.255`;
  }
}

function conntrackInText(result: ConntrackInResult, entryId: number | undefined, packet: Ipv4Packet | undefined): string {
  switch (result) {
    case "already-tracked":
      return "already tracked (seen on its way out)";
    case "untracked":
      return "untracked";
    case "related-unknown":
      return "an ICMP error about no known connection: INVALID";
    case "related":
      return `an ICMP error about connection #${entryId}: RELATED`;
    case "reply":
      return `a reply on connection #${entryId}: ESTABLISHED`;
    case "original-established":
      return `part of connection #${entryId}: ESTABLISHED`;
    case "original-new":
      return `part of connection #${entryId}: NEW (no reply seen yet)`;
    case "invalid-tcp": {
      const transport = packet?.transport;
      const flags = transport?.protocol === "tcp" ? Object.entries(transport.flags).filter(([, on]) => on).map(([flag]) => flag.toUpperCase()).join(",") : "";
      return `a TCP ${flags} with no connection: INVALID`;
    }
    case "invalid-reply":
      return "a reply with no request: INVALID";
    case "new":
      return `a new connection #${entryId}: NEW`;
  }
}

function iptText(step: IptEvent, hook: string, packet: Ipv4Packet | undefined): string {
  switch (step.event) {
    case "policy":
      return `no rule decided: the chain's policy ${step.policy} applies`;
    case "chain-end":
      return "";
    case "mismatch":
      return `rule ${step.ruleNumber} does not match (${mismatchText(step.mismatch)})`;
    case "counts":
      return `rule ${step.ruleNumber} matches; it has no target, only counts`;
    case "verdict":
      return `rule ${step.ruleNumber} matches: ${step.target}`;
    case "return":
      return step.caller !== undefined ? `rule ${step.ruleNumber} matches: RETURN to ${step.caller}` : `rule ${step.ruleNumber} matches: RETURN with no caller, so the policy of ${hook} decides`;
    case "jump":
      return `rule ${step.ruleNumber} matches: ${step.goto ? "goto" : "jump to"} ${step.chain}`;
    case "reject":
      return `rule ${step.ruleNumber} matches: REJECT, ${step.with === "tcp-reset" ? "a TCP reset" : `ICMP ${step.with}`} goes back to ${formatIpv4Address(step.to)}`;
    case "log":
      return `rule ${step.ruleNumber} matches: LOG ${logLine(step.target, step.in, step.out, packet!)}`;
    case "mark":
      return `rule ${step.ruleNumber} matches: mark set to 0x${step.mark.toString(16)}`;
    case "set":
      return `rule ${step.ruleNumber} matches: SET${step.add ? ` adds the packet to ${step.add}` : ""}${step.del ? ` deletes it from ${step.del}` : ""}${step.map ? (step.mappedMark !== undefined ? ` maps its mark from ${step.map} to 0x${step.mappedMark.toString(16)}` : ` finds nothing to map in ${step.map}`) : ""}`;
    case "nat-no-address":
      return `rule ${step.ruleNumber} matches: ${step.target}, but the device has no address to use: dropped`;
    case "nat":
      return `rule ${step.ruleNumber} matches: ${step.target}`;
  }
}

function nftText(step: NftEvent): string {
  switch (step.event) {
    case "policy":
      return `no rule decided: the chain's policy ${step.policy} applies`;
    case "chain-end":
      return "";
    case "mismatch":
      return `rule does not match (${step.ruleText})`;
    case "next":
      return "rule matches; no verdict, the next rule follows";
    case "reject":
      return "rule matches: reject";
    case "nat-no-address":
      return `rule matches: ${step.statement}, but the device has no address to use: dropped`;
    case "nat":
      return `rule matches: ${step.statement}`;
    case "accept":
      return `rule matches: accept (ends ${step.base} only; later hook functions still see the packet)`;
    case "drop":
      return "rule matches: drop";
    case "continue":
      return "rule matches: continue";
    case "return":
      return step.caller !== undefined ? `rule matches: return to ${step.caller}` : `rule matches: return with no caller, so the policy of ${step.base} decides`;
    case "jump":
      return `rule matches: ${step.kind} ${step.chain}`;
  }
}

/** The sentence for one step: its reason, read with the step's packet, ARP message and namespace. */
export function whyText(record: TraceRecord): string {
  const reason: TraceReason = record.reason;
  const packet = record.packet;
  const arp = record.arp;
  const address = formatIpv4Address;
  switch (reason.code) {
    case "device-down":
      return `${reason.device} is down`;
    case "dummy-xmit":
      return `${reason.device} is a dummy device: what it sends goes nowhere`;
    case "veth-peer-down":
      return `the peer of ${reason.device}${reason.peer !== undefined ? ` (${reason.peer})` : ""} is down, so the frame has nowhere to go`;
    case "veth-xmit":
      return `${reason.device} hands the frame to its peer ${reason.peer}${reason.peerNamespace === undefined ? "" : ` in ${namespacePhrase(reason.peerNamespace)}`}`;
    case "otherhost":
      return `the frame is for ${reason.destination}, not ${reason.device}'s address ${reason.deviceMac}`;
    case "neigh-known":
      return `${address(reason.address)} is known: ${reason.mac} (${reason.state})`;
    case "neigh-resolve":
      return `${address(reason.address)} has no link-layer address yet: the packet waits while ARP asks for it on ${reason.device}`;
    case "neigh-queued":
      return `still resolving ${address(reason.address)}: the packet joins the queue`;
    case "arp-request":
      return `who-has ${address(reason.target)}? tell ${address(reason.sender)} (request ${reason.probe} of ${reason.probes})`;
    case "neigh-failed":
      return `no answer to ${reason.probes} ARP requests for ${address(reason.address)} on ${reason.device}: the entry fails and ${reason.queued === 1 ? "the queued packet is" : `${reason.queued} queued packets are`} dropped`;
    case "arp-reply":
      return `${address(arp!.senderAddress)} is-at ${arp!.senderMac}`;
    case "arp-martian":
      return `who-has ${address(arp!.targetAddress)} from ${address(arp!.senderAddress)}: ${martianText(reason.martian)}; no answer`;
    case "arp-ignore":
      return `${address(arp!.targetAddress)} is ours but not on ${reason.device}, and arp_ignore=${reason.arpIgnore}: no answer`;
    case "arp-not-local":
      return `who-has ${address(arp!.targetAddress)}: not an address of ${namespacePhrase(record.namespace)}, so no answer`;
    case "arp-answer":
      return `who-has ${address(arp!.targetAddress)}: ${reason.ownedHere ? "an address of this device" : "an address of this namespace (weak host: it lives on another device)"}, so ${reason.device} answers ${address(arp!.targetAddress)} is-at ${reason.mac}`;
    case "br-port-down":
      return `port ${reason.port} of ${reason.bridge} is not forwarding (${reason.bridgeUp ? "the port is down" : `${reason.bridge} is down`})`;
    case "br-nf-call-iptables":
      return `frame enters ${reason.bridge} on port ${reason.port}; br_netfilter runs PREROUTING first (bridge-nf-call-iptables=1)`;
    case "br-frame-enters": {
      const learning = reason.learned === "off" ? `; learning is off on ${reason.port}` : reason.learned === "local" ? "" : `; ${reason.bridge} ${reason.learned === "learned" ? "learns" : "refreshes"} ${reason.mac} on ${reason.port}`;
      return `frame ${reason.nfBridge ? "is bridged by" : "enters"} ${reason.bridge} on port ${reason.port}${learning}`;
    }
    case "br-pass-up":
      return reason.promisc ? `${reason.bridge} is promiscuous: a copy goes up to the host's stack` : `the frame is for ${reason.bridge} itself: up to the host's stack`;
    case "br-no-hairpin":
      return `${reason.mac} was learned on ${reason.port}, the port the frame came in on, and ${reason.port} is not in hairpin mode: ${reason.bridge} does not send a frame back out of its ingress port`;
    case "br-isolated":
      return `${reason.ingress} and ${reason.port} are both isolated ports: ${reason.bridge} does not forward between them`;
    case "br-port-not-forwarding":
      return `port ${reason.port} is not forwarding (it or its peer is down)`;
    case "br-forward":
      return `${reason.bridge} forwards the frame for ${reason.mac} out of ${reason.port}${reason.hairpin ? " (hairpin: back out of the port it came in on)" : ""}`;
    case "br-flood": {
      const cause = reason.cause === "broadcast" ? `${reason.mac} is broadcast` : `${reason.mac} is not in ${reason.bridge}'s forwarding database`;
      return `${cause}: ${reason.bridge} floods it to ${reason.ports.length > 0 ? reason.ports.join(", ") : "no other forwarding port"}`;
    }
    case "br-nf-dnat-refused":
      return `PREROUTING changed the destination to ${address(reason.destination)}, and ip_route_input() on ${reason.bridge} refuses it${reason.forwardingOff ? ` (forwarding is off on ${reason.bridge})` : ""}: dropped`;
    case "br-nf-dnat-routed":
      return `PREROUTING changed the destination to ${address(reason.destination)}, which is not reached through ${reason.bridge}: the frame is re-addressed to ${reason.bridge} (${reason.mac}) for the host to route`;
    case "br-nf-dnat-bridged":
      return `PREROUTING changed the destination to ${address(reason.destination)}, which ${reason.bridge} itself reaches: bridged DNAT, the frame is bridged again as if it came in on ${reason.port}${reason.mac === undefined ? ` once ARP resolves ${address(reason.nexthop)}` : ` (to ${reason.mac})`}`;
    case "route-output":
      return `${routeChoiceText(reason.choice)}; source ${address(reason.source)}`;
    case "route-output-broadcast":
      return `${reason.destination} is a broadcast address and ping was not given -b`;
    case "route-output-no-route":
      return `no route to ${reason.destination} in ${namespacePhrase(record.namespace)}: not even a default route`;
    case "route-output-refused":
      return `the route to ${reason.destination} is of a kind that refuses traffic (${reason.errno})`;
    case "connect-no-route":
      return `no usable route to ${reason.host}: connect() fails at once`;
    case "ip-rcv":
      return `${reason.device} receives a packet from ${address(packet!.source)} to ${address(packet!.destination)}${reason.prerouted ? " (PREROUTING ran on the bridge already)" : ""}`;
    case "route-local":
      return `${address(packet!.destination)} is ${reason.broadcast ? "a broadcast address" : `an address of ${namespacePhrase(record.namespace)}`}: deliver locally`;
    case "route-forward":
      return `not for this namespace; ${routeChoiceText(reason.choice)}`;
    case "forwarding-off":
      return `${address(packet!.destination)} is not an address of ${namespacePhrase(record.namespace)} and forwarding is off on ${reason.device} (net.ipv4.ip_forward=0): dropped without a word`;
    case "martian":
      return martianText(reason.martian);
    case "route-error": {
      // ip_error(): what a router says when it cannot forward (a blackhole route says nothing).
      const errno = reason.errno;
      const cause = reason.rule
        ? `ip rule ${reason.rule.priority} says ${reason.rule.action}`
        : errno === "ENETUNREACH" ? `no route to ${address(packet!.destination)}` : errno === "EHOSTUNREACH" ? "an unreachable route" : errno === "EACCES" ? "a prohibit route" : "a blackhole route";
      const answered = errno === "ENETUNREACH" || errno === "EHOSTUNREACH" || errno === "EACCES";
      return `cannot forward: ${cause}${answered ? `; ICMP destination unreachable goes back to ${address(packet!.source)}` : ""}`;
    }
    case "ttl-expired":
      return `ttl ${packet!.ttl} would reach 0 here: dropped, and "time exceeded" goes back to ${address(packet!.source)}`;
    case "ip-forward":
      return `forwarding is on for ${reason.ingress}: routed on out of ${reason.out}, ttl ${packet!.ttl} -> ${record.packetAfter!.ttl}`;
    case "dnat-no-route":
      if (reason.mark !== undefined) return `the OUTPUT hook set the mark to 0x${reason.mark.toString(16)}: routed again (ip_route_me_harder), and there is no route: dropped`;
      return reason.localnet
        ? `after DNAT to ${address(packet!.destination)} the source ${address(packet!.source)} may not leave by ${reason.device ?? "a device other than lo"} (route_localnet is 0): dropped`
        : `after DNAT to ${address(packet!.destination)} there is no route: dropped`;
    case "dnat-rerouted":
      if (reason.mark !== undefined) return `the OUTPUT hook set the mark to 0x${reason.mark.toString(16)}: routed again (ip_route_me_harder), out of ${reason.device}`;
      return `DNAT changed the destination to ${address(packet!.destination)}: routed again, out of ${reason.device}`;
    case "ip-output":
      return `out of ${reason.device} towards ${address(reason.nexthop)}${reason.onLink ? " (on-link)" : " (the gateway)"}`;
    case "icmp-echo-broadcast-ignored":
      return "echo request to a broadcast address: ignored (icmp_echo_ignore_broadcasts=1)";
    case "icmp-echo-ignored":
      return "echo request ignored: net.ipv4.icmp_echo_ignore_all=1";
    case "icmp-no-socket":
      return "no socket waits for this ICMP message";
    case "icmp-to-socket": {
      const transport = packet!.transport;
      return transport.protocol === "icmp" && transport.type === ICMP_ECHO_REPLY ? `echo reply from ${address(packet!.source)} reaches ping` : `ICMP error from ${address(packet!.source)} reaches the sender`;
    }
    case "icmp-echo-no-route-back":
      return `echo request from ${address(packet!.source)}, but ${namespacePhrase(record.namespace)} has no route back to it: the reply cannot be sent`;
    case "icmp-echo-reply":
      return `echo request for ${address(packet!.destination)}: the reply goes back to ${address(packet!.source)} out of ${reason.out}`;
    case "icmp-error-no-route":
      return `no route back to ${address(packet!.source)} for the ICMP error`;
    case "icmp-error-sent":
      return `ICMP type ${reason.type} code ${reason.icmpCode} to ${address(reason.to)}`;
    case "udp-listener":
      return `a socket listens on udp port ${reason.port}`;
    case "udp-no-socket":
      return `nothing listens on udp port ${reason.port}: ICMP port unreachable goes back`;
    case "tcp-refused":
      return "a reset: the connection attempt is refused";
    case "tcp-accepted":
      return "SYN-ACK: the connection is accepted";
    case "tcp-server-segment":
      return reason.data ? "data on an accepted connection, for the server's program" : "an ACK on an accepted connection";
    case "tcp-last-ack":
      return "the client closes too, after the server: the last ACK goes back";
    case "tcp-fin-ack":
      return "the client closes; the server closes too: FIN-ACK goes back";
    case "tcp-client-segment":
      return reason.fin ? "the server closes the connection" : reason.data ? "data for the client" : "an ACK for the client";
    case "tcp-syn-retransmit":
      return "a retransmitted SYN of an accepted connection: the SYN-ACK goes back again";
    case "tcp-listener":
      return `a listener on tcp port ${reason.port} accepts: SYN-ACK goes back`;
    case "tcp-no-socket":
      return `nothing listens on tcp port ${reason.port} at ${address(reason.address)}: a reset goes back`;
    case "iptables": {
      const text = reason.step.event === "chain-end" ? `end of ${reason.chain}: back to ${reason.step.caller}` : iptText(reason.step, reason.hook, packet);
      return `${reason.hook} ${reason.table}/${reason.chain}: ${text}`;
    }
    case "nft": {
      const text = reason.step.event === "chain-end" ? `end of ${reason.chain}: back to ${reason.step.caller}` : nftText(reason.step);
      return `${reason.hook} ${reason.family} ${reason.table} ${reason.chain}${reason.handle !== undefined ? ` handle ${reason.handle}` : ""}: ${text}`;
    }
    case "conntrack-in":
      return `${reason.hook} conntrack: ${conntrackInText(reason.result, reason.entryId, packet)}`;
    case "conntrack-confirm":
      return `${reason.hook} conntrack confirms connection #${reason.entryId}: later packets and replies follow it`;
    case "nat-no-tuple":
      return `${reason.hook} nat: no free ${reason.manip} tuple for this connection: dropped`;
    case "nat-bound":
      return `${reason.hook} nat: connection #${reason.entryId} bound; replies will come back as ${formatTuple(reason.reply)}`;
    case "nat-rewrite": {
      const how = reason.byRule ? "the rule's NAT" : `conntrack entry #${reason.entryId} (${reason.direction === "reply" ? "a reply: the NAT undone" : "a later packet of the connection"})`;
      return `${reason.hook} ${reason.manip === "source" ? "SNAT" : "DNAT"} by ${how}: ${describeChange(packet!, record.packetAfter!)}`;
    }
    case "flow-cache": {
      const after = record.packetAfter!;
      const rewrite = reason.natted ? `, NAT as bound: ${address(packet!.source)} > ${address(packet!.destination)} becomes ${address(after.source)} > ${address(after.destination)}` : "";
      const decided = reason.decided;
      const walks = decided === 0 ? "no rule or policy on its forwarding path decides" : `its forwarding path's rule walks are the cached ones of an earlier packet (${decided} rule${decided === 1 ? "" : "s"} and policies deciding, next; every counter moves)`;
      return `netsim's flow cache (not a kernel path): connection #${reason.entryId} is established and ${walks}, so this packet goes as its earlier ones did${rewrite}, routed out of ${reason.out}`;
    }
  }
}

/** A netfilter decision in words (table, rule text, target, mismatch), its keys in their order. */
function netfilterDecision(decision: NetfilterRecordDecision): Decision {
  const out: Record<string, unknown> = {};
  for (const key in decision) {
    const value = (decision as unknown as Record<string, unknown>)[key];
    if (key === "table" && typeof decision.table !== "string") out.table = `${decision.table.family} ${decision.table.name}`;
    else if (key === "ruleText" && decision.ruleText !== undefined) out.ruleText = "handle" in decision.ruleText ? `${decision.ruleText.text} # handle ${decision.ruleText.handle}` : iptablesRuleText(decision.ruleText.chain, decision.ruleText.rule);
    else if (key === "target" && typeof decision.target !== "string") out.target = `${decision.target.kind} ${decision.target.chain}`;
    else if (key === "mismatch" && decision.mismatch !== undefined) out.mismatch = mismatchText(decision.mismatch);
    else out[key] = value;
  }
  return out as unknown as Decision;
}

/** A sysctl decision with its key in full. */
function sysctlDecision(decision: SysctlRecordDecision): Decision {
  return typeof decision.key === "string" ? (decision as Decision) : { kind: "sysctl", key: `net.ipv4.conf.${decision.key.device}.${decision.key.conf}`, value: decision.value };
}

/** A record as the step renderers read: its keys in their order, `why` where the record has `reason`, a conntrack entry and a rule's mismatch as text. */
export function traceStep(record: TraceRecord): TraceStep {
  const step: Record<string, unknown> = {};
  for (const key in record) {
    const value = (record as unknown as Record<string, unknown>)[key];
    if (key === "reason") step.why = whyText(record);
    else if (key === "decision" && record.decision?.kind === "conntrack") step.decision = { kind: "conntrack", state: record.decision.state, entry: formatEntry(record.decision.entry) } satisfies Decision;
    else if (key === "decision" && record.decision?.kind === "netfilter") step.decision = netfilterDecision(record.decision);
    else if (key === "decision" && record.decision?.kind === "sysctl") step.decision = sysctlDecision(record.decision);
    else step[key] = value;
  }
  return step as unknown as TraceStep;
}

export function traceSteps(records: readonly TraceRecord[]): TraceStep[] {
  return records.map(traceStep);
}
