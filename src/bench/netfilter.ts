// Items 5 and 6: a kube-proxy-style nat ruleset (10,000 services) against
// naive rule-by-rule evaluation and the kernel, and a conntrack table of
// 1,000,000 entries. They need the simulator's iptables engine and
// conntrack (src/net/netfilter); until `iptables` is a simulator command
// they report themselves not measured, with that reason.
import { natAvailable } from "./packet-path.js";
import type { BenchRow } from "./measure.js";

const NOT_IN_PLACE = "not measured: netfilter engine not in place yet (the simulator does not take iptables)";

export function rulesBench(): BenchRow[] {
  const reason = natAvailable() ? "not measured: the ruleset bench is not written yet (phase 2)" : NOT_IN_PLACE;
  return [
    {
      item: 5,
      name: "kube-proxy nat ruleset, 10,000 services",
      simulator: "not measured",
      baseline: "naive / kernel: not measured",
      target: "≥ 100× naive, faster than the kernel",
      note: reason,
      figures: { measured: false, reason },
    },
  ];
}

export function conntrackBench(): BenchRow[] {
  const reason = natAvailable() ? "not measured: the conntrack bench is not written yet (phase 2)" : NOT_IN_PLACE;
  return [
    {
      item: 6,
      name: "conntrack, 1,000,000 entries",
      simulator: "not measured",
      baseline: "—",
      target: "≤ 300 MB",
      note: reason,
      figures: { measured: false, reason },
    },
  ];
}
