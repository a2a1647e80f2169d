// The step a table's chain leaves in a traced run at its hook, for iptables
// tables and nft base chains alike (what nfnetlink_trace reports: table,
// chain, rule, verdict, the packet's devices).
import type { NetfilterRecordDecision } from "../../model/trace.js";
import type { TraceReason } from "../../model/trace-reason.js";
import { traceTime, type Simulation } from "../simulation.js";
import type { MatchContext } from "./xt-match-context.js";

export type NetfilterDecision = NetfilterRecordDecision;

/**
 * Records one rule's or policy's verdict at `context`'s hook from a
 * decision already made (its keys in a trace's order, without in and out,
 * which are added here) and its typed reason: the step is built in one
 * literal per shape, for a traced walk's every rule. Call it only when
 * tracing is on.
 */
export function pushNetfilterStep(simulation: Simulation, context: MatchContext, decision: NetfilterDecision, verdict: "continue" | "drop", reason: TraceReason): void {
  const inName = context.in?.name;
  const outName = context.out?.name;
  const full = decision as { -readonly [K in keyof NetfilterDecision]: NetfilterDecision[K] };
  if (inName !== undefined) full.in = inName;
  if (outName !== undefined) full.out = outName;
  const device = inName ?? outName;
  const packet = context.packet;
  const namespace = context.namespace.name;
  const time = traceTime(simulation);
  const steps = simulation.steps!;
  if (device === undefined) {
    steps.push(verdict === "drop" ? { stage: "nf_hook", packet, decision, verdict, dropReason: "NETFILTER_DROP", reason, namespace, time } : { stage: "nf_hook", packet, decision, verdict, reason, namespace, time });
  } else {
    steps.push(verdict === "drop" ? { device, stage: "nf_hook", packet, decision, verdict, dropReason: "NETFILTER_DROP", reason, namespace, time } : { device, stage: "nf_hook", packet, decision, verdict, reason, namespace, time });
  }
}
