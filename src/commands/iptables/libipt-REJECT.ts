// iptables' REJECT target for IPv4 (extensions/libipt_REJECT.c:
// REJECT_opts, reject_table, REJECT_parse, REJECT_save, REJECT_print) and
// ip6tables' (extensions/libip6t_REJECT.c: reject_table_xlate's names,
// REJECT_parse with its icmp6 types; no packet meets an ip6tables rule).
import type { Ip6RejectWith, RejectWith, Target } from "../../model/netfilter.js";
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

/** libip6t_REJECT's reject_table: each type by its name and short name, with the IPv4 type of the same meaning (the model's Target keeps both). */
const REJECT6_TYPES: Readonly<Record<string, readonly [Ip6RejectWith, RejectWith]>> = {
  "icmp6-no-route": ["icmp6-no-route", "icmp-net-unreachable"],
  "no-route": ["icmp6-no-route", "icmp-net-unreachable"],
  "icmp6-adm-prohibited": ["icmp6-adm-prohibited", "icmp-admin-prohibited"],
  "adm-prohibited": ["icmp6-adm-prohibited", "icmp-admin-prohibited"],
  "icmp6-addr-unreachable": ["icmp6-addr-unreachable", "icmp-host-unreachable"],
  "addr-unreach": ["icmp6-addr-unreachable", "icmp-host-unreachable"],
  "icmp6-port-unreachable": ["icmp6-port-unreachable", "icmp-port-unreachable"],
  "port-unreach": ["icmp6-port-unreachable", "icmp-port-unreachable"],
  "icmp6-policy-fail": ["icmp6-policy-fail", "icmp-admin-prohibited"],
  "policy-fail": ["icmp6-policy-fail", "icmp-admin-prohibited"],
  "icmp6-reject-route": ["icmp6-reject-route", "icmp-admin-prohibited"],
  "reject-route": ["icmp6-reject-route", "icmp-admin-prohibited"],
  "tcp-reset": ["tcp-reset", "tcp-reset"],
};

export const libiptREJECT: XtablesTarget<RejectTarget> = {
  name: "REJECT",
  description: "REJECT (ICMP or `tcp-reset`)",
  // REJECT_opts: --reject-with once, no `!` (libxtables' guided parser says so).
  options: [option("reject-with")],
  parse(values, context) {
    const value = values.get("reject-with");
    if (context.family === "ipv6") {
      if (!value) return { kind: "REJECT", with: "icmp-port-unreachable", with6: "icmp6-port-unreachable" };
      const types = REJECT6_TYPES[value.value!];
      if (!types) throw context.problem(`unknown reject type "${value.value}"`);
      return { kind: "REJECT", with: types[1], with6: types[0] };
    }
    // REJECT_init(): port unreachable unless --reject-with says otherwise.
    if (!value) return { kind: "REJECT", with: "icmp-port-unreachable" };
    const kind = REJECT_TYPES[value.value!];
    if (!kind) throw context.problem(`unknown reject type "${value.value}"`);
    return { kind: "REJECT", with: kind };
  },
  save: (target) => ` --reject-with ${target.with6 ?? target.with}`,
  print: (target) => ` reject-with ${target.with6 ?? target.with}`,
};
