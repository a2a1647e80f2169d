// iptables' multiport match, revision 1 (extensions/libxt_multiport.c:
// multiport_opts, multiport_parse1 with check_proto and
// parse_multi_ports_v1, multiport_check, multiport_save1,
// multiport_print1). Its packet test is the kernel's xt_multiport
// (src/net/netfilter/xt-multiport.ts).
import type { Match, PortRange } from "../../model/netfilter.js";
import { checkExclusive, listPorts, option, parsePort, portRangeText, type XtablesMatch, type XtablesParseContext } from "./xtables.js";

type MultiportMatch = Extract<Match, { kind: "multiport" }>;

/** check_proto(): tcp, udp, udplite, sctp, dccp. */
const PORT_PROTOCOLS: readonly number[] = [6, 17, 136, 132, 33];

/** parse_multi_ports_v1(): up to 15 ports, a range counting two; a range must rise. */
function portList(context: Pick<XtablesParseContext, "problem">, text: string, protocol: "tcp" | "udp"): PortRange[] {
  const ports: PortRange[] = [];
  let used = 0;
  for (const item of text.split(",")) {
    if (used === 15) throw context.problem("too many ports specified");
    const colon = item.indexOf(":");
    if (colon < 0) {
      const port = parsePort(context, item, protocol);
      ports.push({ first: port, last: port });
      used += 1;
      continue;
    }
    if (used === 14) throw context.problem("too many ports specified");
    const first = parsePort(context, item.slice(0, colon), protocol);
    const last = parsePort(context, item.slice(colon + 1), protocol);
    if (first >= last) throw context.problem("invalid portrange specified");
    ports.push({ first, last });
    used += 2;
  }
  return ports;
}

/** The options in multiport_opts' order, each excluding the others (F_ANY). */
const OPTIONS = ["source-ports", "destination-ports", "ports"];
const DIRECTION: Readonly<Record<string, MultiportMatch["direction"]>> = { "source-ports": "source", "destination-ports": "destination", ports: "either" };

/** check_proto() then parse_multi_ports_v1(), as multiport_parse1() does for each option when it is read. */
function ports(context: Pick<XtablesParseContext, "problem" | "protocol">, text: string): PortRange[] {
  const protocol = context.protocol;
  if (!protocol || protocol.invert || !PORT_PROTOCOLS.includes(protocol.number)) {
    throw context.problem("multiport needs `-p tcp', `-p udp', `-p udplite', `-p sctp' or `-p dccp'");
  }
  // Port names are looked up for the rule's protocol (getservbyname "udp" for udp, else "tcp").
  return portList(context, text, protocol.number === 17 ? "udp" : "tcp");
}

const optionName = (match: MultiportMatch) => (match.direction === "source" ? "sports" : match.direction === "destination" ? "dports" : "ports");

export const libxtMultiport: XtablesMatch<MultiportMatch> = {
  name: "multiport",
  description: "`multiport`",
  // multiport_opts: --sports and --dports share the ids of --source-ports and --destination-ports, whose names the guided parser's messages use.
  aliases: { sports: "source-ports", dports: "destination-ports" },
  options: [option("source-ports", true, true), option("sports", true, true), option("destination-ports", true, true), option("dports", true, true), option("ports", true, true)],
  readOption(_name, value, _invert, reader) {
    ports(reader, value!);
    return false;
  },
  parse(values, context) {
    // multiport_check() (x6_fcheck), then xtables_options_fcheck()'s exclusions.
    if (values.size === 0) throw context.problem("multiport expection an option");
    checkExclusive(context, "multiport", values, OPTIONS, Object.fromEntries(OPTIONS.map((name) => [name, OPTIONS])));
    const [name, value] = [...values.entries()][0]!;
    return { kind: "multiport", direction: DIRECTION[name]!, ports: ports(context, value.value!), invert: value.invert };
  },
  save: (match) => `${match.invert ? " !" : ""} --${optionName(match)} ${match.ports.map((range) => portRangeText(range, ":")).join(",")}`,
  print(match, numeric, protocol) {
    const portProtocol = protocol === 17 ? "udp" : "tcp";
    return ` multiport ${optionName(match)} ${match.invert ? " !" : ""}${match.ports.map((range) => listPorts(range, portProtocol, numeric)).join(",")}`;
  },
};
