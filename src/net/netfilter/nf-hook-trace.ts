// The step a table's chain leaves in a traced run at its hook, for iptables
// tables and nft base chains alike (what nfnetlink_trace reports: table,
// chain, rule, verdict, the packet's devices).
import type { NetfilterRecordDecision } from "../../model/trace.js";
import type { TraceReason } from "../../model/trace-reason.js";
import { record, type Simulation } from "../simulation.js";
import type { MatchContext } from "./xt-match-context.js";

interface NetfilterStep {
  readonly decision: Omit<NetfilterRecordDecision, "kind" | "in" | "out">;
  readonly verdict: "continue" | "drop";
  readonly reason: TraceReason;
}

/** Records one rule's or policy's verdict at `context`'s hook; `step` is built only when the run is traced. */
export function recordNetfilterStep(simulation: Simulation, context: MatchContext, step: () => NetfilterStep): void {
  record(simulation, () => {
    const { decision, verdict, reason } = step();
    const device = context.in?.name ?? context.out?.name;
    return {
    namespace: context.namespace,
    ...(device ? { device } : {}),
    stage: "nf_hook",
    packet: context.packet,
    decision: {
      kind: "netfilter",
      ...decision,
      ...(context.in ? { in: context.in.name } : {}),
      ...(context.out ? { out: context.out.name } : {}),
    },
    verdict,
    ...(verdict === "drop" ? { dropReason: "NETFILTER_DROP" as const } : {}),
    reason,
    };
  });
}
