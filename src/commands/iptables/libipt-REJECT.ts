// iptables' REJECT target for IPv4 (extensions/libipt_REJECT.c:
// REJECT_opts, reject_table, REJECT_parse, REJECT_save, REJECT_print).
import type { RejectWith, Target } from "../../model/netfilter.js";
import { option, type XtablesTarget } from "./xtables.js";

type RejectTarget = Extract<Target, { kind: "REJECT" }>;

/** reject_table: each type by its name and its short name. */
const REJECT_TYPES: Readonly<Record<string, RejectWith>> = {
  "icmp-net-unreachable": "icmp-net-unreachable",
  "net-unreach": "icmp-net-unreachable",
  "icmp-host-unreachable": "icmp-host-unreachable",
  "host-unreach": "icmp-host-unreachable",
  "icmp-port-unreachable": "icmp-port-unreachable",
  "port-unreach": "icmp-port-unreachable",
  "icmp-proto-unreachable": "icmp-proto-unreachable",
  "proto-unreach": "icmp-proto-unreachable",
  "icmp-net-prohibited": "icmp-net-prohibited",
  "net-prohib": "icmp-net-prohibited",
  "icmp-host-prohibited": "icmp-host-prohibited",
  "host-prohib": "icmp-host-prohibited",
  "icmp-admin-prohibited": "icmp-admin-prohibited",
  "admin-prohib": "icmp-admin-prohibited",
  "tcp-reset": "tcp-reset",
  "tcp-rst": "tcp-reset",
};

export const libiptREJECT: XtablesTarget<RejectTarget> = {
  name: "REJECT",
  description: "REJECT (ICMP or `tcp-reset`)",
  // REJECT_opts: --reject-with once, no `!` (libxtables' guided parser says so).
  options: [option("reject-with")],
  parse(values, context) {
    const value = values.get("reject-with");
    // REJECT_init(): port unreachable unless --reject-with says otherwise.
    if (!value) return { kind: "REJECT", with: "icmp-port-unreachable" };
    const kind = REJECT_TYPES[value.value!];
    if (!kind) throw context.problem(`unknown reject type "${value.value}"`);
    return { kind: "REJECT", with: kind };
  },
  save: (target) => ` --reject-with ${target.with}`,
  print: (target) => ` reject-with ${target.with}`,
};
