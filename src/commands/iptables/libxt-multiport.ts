// iptables' multiport match, revision 1 (extensions/libxt_multiport.c:
// multiport_opts, multiport_parse1 with check_proto and
// parse_multi_ports_v1, multiport_save1, multiport_print1). Its packet test
// is the kernel's xt_multiport (src/net/netfilter/xt-multiport.ts).
import type { Match, PortRange } from "../../model/netfilter.js";
import { listPorts, option, parsePort, portRangeText, type XtablesMatch, type XtablesParseContext } from "./xtables.js";

type MultiportMatch = Extract<Match, { kind: "multiport" }>;

/** check_proto(): tcp, udp, udplite, sctp, dccp. */
const PORT_PROTOCOLS: readonly number[] = [6, 17, 136, 132, 33];

/** parse_multi_ports_v1(): up to 15 ports, a range counting two; a range must rise. */
function portList(context: XtablesParseContext, text: string, protocol: "tcp" | "udp"): PortRange[] {
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

const optionName = (match: MultiportMatch) => (match.direction === "source" ? "sports" : match.direction === "destination" ? "dports" : "ports");

export const libxtMultiport: XtablesMatch<MultiportMatch> = {
  name: "multiport",
  description: "`multiport`",
  // multiport_parse1() reads its options itself.
  guided: false,
  aliases: { "source-ports": "sports", "destination-ports": "dports" },
  options: [option("source-ports"), option("sports"), option("destination-ports"), option("dports"), option("ports")],
  parse(values, context) {
    const which = values.get("sports") ? "sports" : values.get("dports") ? "dports" : "ports";
    const value = values.get(which);
    if (!value) throw context.problem("multiport expection an option");
    // check_proto() when the option is parsed.
    const protocol = context.protocol;
    if (!protocol || protocol.invert || !PORT_PROTOCOLS.includes(protocol.number)) {
      throw context.problem("multiport needs `-p tcp', `-p udp', `-p udplite', `-p sctp' or `-p dccp'");
    }
    // Port names are looked up for the rule's protocol (getservbyname "udp" for udp, else "tcp").
    const ports = portList(context, value.value!, protocol.number === 17 ? "udp" : "tcp");
    return { kind: "multiport", direction: which === "sports" ? "source" : which === "dports" ? "destination" : "either", ports, invert: value.invert };
  },
  save: (match) => `${match.invert ? " !" : ""} --${optionName(match)} ${match.ports.map((range) => portRangeText(range, ":")).join(",")}`,
  print(match, numeric, protocol) {
    const portProtocol = protocol === 17 ? "udp" : "tcp";
    return ` multiport ${optionName(match)} ${match.invert ? " !" : ""}${match.ports.map((range) => listPorts(range, portProtocol, numeric)).join(",")}`;
  },
};
