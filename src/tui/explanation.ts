// Why a probe failed, in a sentence: the explainer's cause (src/explain,
// diagnoseFailure) when it finds one, else the trace's final drop, its `why`
// and drop reason. The fix `netsim explain` proposes is checked by rerunning
// the scenario; the UI does not rerun, so it shows the cause alone.
import { diagnoseFailure } from "../explain/diagnose.js";
import type { Trace, TraceStep } from "../model/trace.js";
import type { World } from "../model/world.js";
import type { CommandRecord } from "../scenario/result.js";

export interface Explanation {
  readonly text: string;
  /** The hop the explanation is about (0-based), so the UI can jump to it. */
  readonly hopIndex?: number;
}

/** The step that sealed the probe's fate: the last drop with a reason, else the last drop. */
export function finalDrop(trace: Trace): { step: TraceStep; index: number } | undefined {
  let fallback: { step: TraceStep; index: number } | undefined;
  for (let index = trace.steps.length - 1; index >= 0; index--) {
    const step = trace.steps[index]!;
    if (step.verdict !== "drop") continue;
    if (step.dropReason) return { step, index };
    fallback ??= { step, index };
  }
  return fallback;
}

/** `world` is the state right after the probe (the step's snapshot). */
export function explainProbe(record: CommandRecord, trace: Trace | undefined, world?: World): Explanation | undefined {
  const outcome = record.probe?.outcome;
  if (outcome === undefined || outcome === "reply" || outcome === "connected") return undefined;
  if (!trace) return undefined;
  if (world) {
    const cause = diagnoseFailure(trace, world);
    if (cause.kind !== "no-answer") return { text: cause.summary, ...(cause.steps.length > 0 ? { hopIndex: cause.steps[cause.steps.length - 1]! } : {}) };
  }
  const drop = finalDrop(trace);
  if (!drop) return undefined;
  return { text: `${drop.step.why}${drop.step.dropReason ? ` (${drop.step.dropReason})` : ""}`, hopIndex: drop.index };
}
