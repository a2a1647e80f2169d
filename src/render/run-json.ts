// `netsim run --json`: the runs as data for other tools, in the shape
// docs/run-json.schema.json documents. Addresses are dotted strings (routes
// and prefixes as CIDR), devices and namespaces go by name (the scenario's
// own namespace as "(root)"), and nothing depends on the clock or on the
// order of a hash: the same scenario gives the same bytes every run.
import { formatIpv4Address } from "../model/address.js";
import type { World } from "../model/world.js";
import type { SimulatedRun } from "../scenario/runner.js";

/** Bumped when a field changes meaning or goes; new fields do not bump it. */
export const RUN_JSON_VERSION = 1;

/** The name --json gives the scenario's own namespace (the host's), as the text trace labels it. */
export const ROOT_NAMESPACE_NAME = "(root)";

/** Keys whose number is an IPv4 address wherever it appears in a trace. */
const ADDRESS_KEYS = new Set(["source", "destination", "address", "gateway", "senderAddress", "targetAddress", "preferredSource"]);

function namespaceName(name: string): string {
  return name === "" ? ROOT_NAMESPACE_NAME : name;
}

interface Context {
  readonly world: World;
  /** The namespace the step or route is in (its devices are looked up there). */
  readonly namespace: string;
}

function deviceName(context: Context, index: number): string {
  for (const namespace of context.world.namespaces.values()) {
    if (namespace.name !== context.namespace) continue;
    const device = namespace.devices.get(index);
    if (device) return device.name;
  }
  // Deleted or moved away by the end of the run: the kernel's own fallback spelling.
  return `if${index}`;
}

function namespaceById(context: Context, id: number): string {
  for (const namespace of context.world.namespaces.values()) if (namespace.id === id) return namespaceName(namespace.name);
  return `#${id}`;
}

/** The value with addresses dotted, ifindexes and namespace ids named; keys in their recorded order. */
function convert(value: unknown, context: Context, key?: string): unknown {
  if (Array.isArray(value)) return value.map((item) => convert(item, context));
  if (value === null || typeof value !== "object") {
    if (typeof value === "number" && key !== undefined && ADDRESS_KEYS.has(key)) return formatIpv4Address(value);
    if (key === "namespace" && typeof value === "string") return namespaceName(value);
    return value;
  }
  const record = value as Record<string, unknown>;
  // A prefix {address, length} reads as CIDR.
  if (key === "prefix" && typeof record.address === "number" && typeof record.length === "number") return `${formatIpv4Address(record.address)}/${record.length}`;
  const inner = typeof record.namespace === "string" ? { ...context, namespace: record.namespace } : context;
  const out: Record<string, unknown> = {};
  for (const [name, field] of Object.entries(record)) {
    // skb->nf_bridge rides on a packet while it waits for ARP: kernel state, not a field of the packet a trace shows.
    if (field === undefined || name === "nfBridge") continue;
    if (name === "deviceIndex" && typeof field === "number") out.device = deviceName(inner, field);
    else if (name === "namespaceId" && typeof field === "number") out.namespace = namespaceById(inner, field);
    // A route decision's next hop is an address; a route's next hop is an object.
    else if (name === "nexthop" && typeof field === "number") out.nexthop = formatIpv4Address(field);
    else out[name] = convert(field, inner, name);
  }
  return out;
}

export function runJson(runs: readonly SimulatedRun[]): string {
  const scenarios = runs.map((run) => {
    const context: Context = { world: run.world, namespace: "" };
    return {
      file: run.file,
      backend: run.backend,
      exitCode: run.exitCode,
      output: run.output,
      ...(run.streams ? { streams: run.streams.map((chunk) => ({ stream: chunk.stream, text: chunk.text })) } : {}),
      commands: run.commands.map((record) => convert(record, context)),
      expectations: run.expectations.map((expectation) => convert(expectation, context)),
      problems: run.problems.map((problem) => convert(problem, context)),
      traces: run.traces.map((trace) => convert(trace, { ...context, namespace: trace.namespace })),
    };
  });
  return `${JSON.stringify({ version: RUN_JSON_VERSION, scenarios }, null, 2)}\n`;
}
