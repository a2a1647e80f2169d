// What `netsim explain` says about a probe: the verdict, the decisive steps
// of its trace with the objects that decided, the scenario line behind them,
// and a fix that was checked by running it. Plain data: the text, JSON and
// UI renderings read the same records.
import type { ProbeOutcome, SourceLocation } from "../scenario/result.js";

export type CauseKind =
  | "delivered" /* success, explained when asked */
  | "no-route" /* no route at the sender: ping cannot even send */
  | "route-refuses" /* an unreachable, prohibit or blackhole route */
  | "duplicate-subnet" /* two equal routes, the first leads where the address is not */
  | "neighbour-failed" /* ARP unanswered on the chosen device */
  | "link-down" /* a device, its veth peer or a bridge port is down */
  | "hairpin-off" /* a bridge does not send a frame back out of the port it came in on */
  | "missing-bridge-address" /* a bridge leads to the destination but has no address there */
  | "forwarding-off" /* a router drops what it should forward */
  | "router-no-route" /* a router has no route onward ("net unreachable") */
  | "no-route-back" /* the destination answered, but has no route back to the source */
  | "source-rejected" /* rp_filter or a martian source */
  | "ttl-exceeded"
  | "filtered" /* a netfilter rule or policy dropped or rejected it */
  | "no-listener" /* nothing listens on the port: refused */
  | "dnat-missed" /* a DNAT rule would publish the port, but this packet does not pass it */
  | "no-answer"; /* nothing in the trace explains the silence */

export interface Cause {
  readonly kind: CauseKind;
  /** One sentence, naming the object that decided. */
  readonly summary: string;
  /** Indexes into the probe's trace steps, in order. */
  readonly steps: readonly number[];
  /** The objects that decided: routes, devices, sysctls, rules. */
  readonly objects: readonly string[];
  /** The scenario line that made the deciding object, where one did. */
  readonly origin?: SourceLocation;
  /** For link-down: the device that is down. */
  readonly device?: { readonly namespace: string; readonly name: string };
}

export interface FixCheck {
  /** The probe's outcome when the scenario runs again with the fix in front of it. */
  readonly outcome: ProbeOutcome | "missing";
  readonly succeeded: boolean;
  /** Why the rerun gave no outcome ("missing"): the problem netsim met running it. */
  readonly problem?: string;
}

export interface Fix {
  /** Shell commands, to run before the probe in the namespace the scenario runs in. */
  readonly commands: readonly string[];
  readonly check: FixCheck;
  /** What a second-choice fix costs ("opens the whole chain"); absent for the fix offered first. */
  readonly caveat?: string;
}

/** A command that failed earlier and that this probe's failure traces back to. */
export interface EarlierFailure {
  readonly location: SourceLocation;
  readonly callers: readonly SourceLocation[];
  readonly command: string;
  /** Its error, the first line the tool printed. */
  readonly error: string;
  /** "line 8 failed (...), so veth1 was never made a port of br0". */
  readonly sentence: string;
  /** The command with the misspelt name replaced by the nearest existing one, where there is one. */
  readonly corrected?: string;
}

export interface Explanation {
  readonly probe: {
    /** The probe command's own line (in a sourced file or a function, where it stands there). */
    readonly location: SourceLocation;
    /** The call sites that led to it, innermost first (a `source` line, a function call). */
    readonly callers: readonly SourceLocation[];
    readonly command: string;
    readonly namespace: string;
    readonly outcome: ProbeOutcome;
    readonly traceIndex?: number;
  };
  /** The verdict, in one sentence. */
  readonly verdict: string;
  readonly causes: readonly Cause[];
  /** Earlier commands that failed and that this failure traces back to (named first in the verdict). */
  readonly earlierFailures: readonly EarlierFailure[];
  /** Present only when a fix was found and the rerun confirmed it. */
  readonly fix?: Fix;
  /** A blunter fix, also checked, offered second with its caveat (a chain's policy set to ACCEPT). */
  readonly alternative?: Fix;
  /** Fixes that were tried and did not make the probe succeed, with what happened instead. */
  readonly triedFixes: readonly Fix[];
}
