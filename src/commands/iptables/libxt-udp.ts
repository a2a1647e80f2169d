// iptables' udp match (extensions/libxt_udp.c: udp_opts with XTTYPE_PORTRC,
// udp_parse, udp_save, udp_print), as iptables-nft stores it. Its packet
// test is the kernel's xt_tcpudp (src/net/netfilter/xt-tcpudp.ts).
import { guidedPortRange, option, type XtablesMatch } from "./xtables.js";
import { portMatch, printPorts, requireProtocol, savePorts, type PortMatch } from "./libxt-tcp.js";

export const libxtUdp: XtablesMatch<PortMatch> = {
  name: "udp",
  description: "`udp` ports",
  protocolMatch: 17,
  // udp_opts: --sport and --dport share the ids of --source-port and --destination-port, whose names the guided parser's messages use.
  aliases: { sport: "source-port", dport: "destination-port" },
  options: [option("source-port", true, true), option("sport", true, true), option("destination-port", true, true), option("dport", true, true)],
  readOption(_name, value, _invert, reader) {
    // XTTYPE_PORTRC is read when the option is (a bad port is the error before anything later on the line).
    guidedPortRange(reader, value!);
    return false;
  },
  parse(values, context) {
    requireProtocol(context, "udp");
    const sport = values.get("source-port");
    const dport = values.get("destination-port");
    // The guided XTTYPE_PORTRC keeps a range as written (min above max included).
    return portMatch("udp", sport, sport ? context.portRange(sport.value!) : undefined, dport, dport ? context.portRange(dport.value!) : undefined);
  },
  save: savePorts,
  print: printPorts,
};
