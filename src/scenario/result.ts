// What running a scenario produced, in a shape both backends (simulator and
// kernel) fill in identically, so `netsim verify` can diff them line by line.

/** A probe's outcome, named after what ping / nc report. */
export type ProbeOutcome = "reply" | "no-reply" | "unreachable" | "connected" | "refused" | "timeout";

/** What a `# expect:` comment may name. */
export type ExpectedOutcome = ProbeOutcome | "ok" | "error";

export const PROBE_OUTCOMES: readonly ProbeOutcome[] = ["reply", "no-reply", "unreachable", "connected", "refused", "timeout"];
export const EXPECTED_OUTCOMES: readonly ExpectedOutcome[] = [...PROBE_OUTCOMES, "ok", "error"];

export interface SourceLocation {
  readonly file: string;
  readonly line: number;
}

/** The probe a command ran, classified from what the probe tool printed. */
export interface ProbeResult {
  readonly tool: "ping" | "nc" | "curl" | "wget" | "socat";
  readonly outcome: ProbeOutcome;
  /** The ttl of the first echo reply, as ping printed it. */
  readonly ttl?: number;
  /** Index into ScenarioRun.traces (simulator only). */
  readonly traceIndex?: number;
}

/** One networking command (ip, iptables, ping, nc, sysctl, ...) as it ran. */
export interface CommandRecord {
  /** Where the command stands: the innermost file and line (inside a sourced file or function). */
  readonly location: SourceLocation;
  /** Every enclosing call site, innermost first: the first that carries an `# expect:` is the one checked. */
  readonly callers: readonly SourceLocation[];
  /** The network namespace it ran in: a name from `ip netns`, or "" for the scenario's own (root) namespace. */
  readonly namespace: string;
  readonly argv: readonly string[];
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly probe?: ProbeResult;
  /** Started with `&`: a job, its output and status filled in when it exits (or the scenario ends). */
  readonly background?: true;
}

export interface ExpectationResult {
  readonly location: SourceLocation;
  readonly expected: ExpectedOutcome;
  /** What happened; "missing" when no command ran on that line. */
  readonly actual: ExpectedOutcome | "missing";
  readonly ok: boolean;
  /** The free text after the outcome word, kept for reports. */
  readonly comment: string;
}

/** One network namespace's state as the kernel's own tools print it. */
export interface NamespaceState {
  /** A name from `ip netns`, or "" for the scenario's own (root) namespace. */
  readonly namespace: string;
  /** `ip -j link` */
  readonly link: string;
  /** `ip -j addr` */
  readonly addr: string;
  /** `ip -j route show table all` */
  readonly route: string;
  /** `ip -j neigh` */
  readonly neigh: string;
  /** `iptables-save`, packet and byte counters stripped */
  readonly iptablesSave: string;
  /** `ip6tables-save`, packet and byte counters stripped (the ip6 family's iptables-nft tables) */
  readonly ip6tablesSave: string;
  /** `conntrack -L` stdout (its "flow entries have been shown" stderr line left out) */
  readonly conntrack: string;
  /** `nft list table` of each table `nft list tables` names but iptables-nft's own (their rules are iptablesSave's), in that order */
  readonly nftRuleset: string;
  /** Parts the backend could not capture (a show command it does not model yet), each with the reason. */
  readonly unavailable?: Readonly<Partial<Record<StatePart, string>>>;
}

/** The parts of a NamespaceState that hold captured text. */
export type StatePart = "link" | "addr" | "route" | "neigh" | "iptablesSave" | "ip6tablesSave" | "conntrack" | "nftRuleset";
export const STATE_PARTS: readonly StatePart[] = ["link", "addr", "route", "neigh", "iptablesSave", "ip6tablesSave", "conntrack", "nftRuleset"];

/** The tables iptables-nft keeps (families ip and ip6): a snapshot compares them as iptables-save and ip6tables-save print them, not as nft does. */
export const IPTABLES_NFT_TABLES: readonly string[] = ["filter", "nat", "mangle", "raw", "security"];
export const IPTABLES_NFT_FAMILIES: readonly string[] = ["ip", "ip6"];

/** Every namespace's state after a probe, or at the end of the scenario. */
export interface StateSnapshot {
  /** The probe it was taken after: its index in ScenarioRun.commands and where it stands; absent for the final snapshot. */
  readonly after?: { readonly commandIndex: number; readonly location: SourceLocation };
  readonly namespaces: readonly NamespaceState[];
}

export interface ScenarioRun {
  readonly file: string;
  readonly backend: "sim" | "kernel";
  readonly commands: readonly CommandRecord[];
  readonly expectations: readonly ExpectationResult[];
  /** Everything the script printed, in order, stdout and stderr interleaved as a terminal shows them. */
  readonly output: string;
  /** The script's own exit status. */
  readonly exitCode: number;
  /** With RunOptions.snapshots: the state after each probe, in order, then at the end. */
  readonly snapshots?: readonly StateSnapshot[];
}
