// The public API: run scenarios in the simulator (or on the kernel), read
// their records and traces, explain them. Property-testing helpers are in
// "netsim/testing".
export { ScenarioSimulator, type SimulatedRun, type SimulatorOptions, type ScenarioProblem } from "./scenario/runner.js";
export type { CommandRecord, ExpectationResult, ExpectedOutcome, ProbeOutcome, ProbeResult, ScenarioRun, SourceLocation } from "./scenario/result.js";
export { explainScenario, type ExplainOptions, type ScenarioExplanation } from "./explain/explain.js";
export type { Cause, CauseKind, Explanation, Fix, FixCheck } from "./explain/types.js";
export type { Trace, TraceStep, TraceStage, Decision, Verdict } from "./model/trace.js";
export type { DropReason } from "./model/drop-reason.js";
export type { World } from "./model/world.js";
export { cloneWorld } from "./model/world.js";
export { createWorld } from "./net/index.js";
export { formatTrace } from "./render/trace.js";
export { formatExplanation } from "./render/explanation.js";
export { KernelBackend, checkKernelBackendAvailable } from "./backends/kernel/kernel-backend.js";
export type { Backend, RunOptions } from "./backends/backend.js";
