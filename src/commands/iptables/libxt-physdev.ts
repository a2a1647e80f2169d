// iptables' physdev match (extensions/libxt_physdev.c: physdev_opts,
// physdev_parse, physdev_check, physdev_save, physdev_print). Its packet test is the
// kernel's xt_physdev on br_netfilter's bridge ports.
import type { Match } from "../../model/netfilter.js";
import { option, type XtablesMatch } from "./xtables.js";

type PhysdevMatch = Extract<Match, { kind: "physdev" }>;

/** physdev_save()'s order: is-in, in, is-out, out, is-bridged (print shares it). */
function physdevOptions(match: PhysdevMatch): string {
  let text = "";
  if (match.isIn) text += `${match.isIn.invert ? " !" : ""} --physdev-is-in`;
  if (match.physdevIn) text += `${match.physdevIn.invert ? " !" : ""} --physdev-in ${match.physdevIn.name}`;
  if (match.isOut) text += `${match.isOut.invert ? " !" : ""} --physdev-is-out`;
  if (match.physdevOut) text += `${match.physdevOut.invert ? " !" : ""} --physdev-out ${match.physdevOut.name}`;
  if (match.isBridged) text += `${match.isBridged.invert ? " !" : ""} --physdev-is-bridged`;
  return text;
}

export const libxtPhysdev: XtablesMatch<PhysdevMatch> = {
  name: "physdev",
  description: "`physdev`",
  // physdev_opts: every option XTOPT_INVERT.
  options: [option("physdev-in", true, true), option("physdev-out", true, true), option("physdev-is-in", false, true), option("physdev-is-out", false, true), option("physdev-is-bridged", false, true)],
  parse(values, context) {
    // physdev_parse(): xtables_parse_interface() for a device name.
    for (const name of ["physdev-in", "physdev-out"]) {
      const text = values.get(name)?.value;
      if (text !== undefined && text.length > 15) throw context.problem(`interface name \`${text}' must be shorter than IFNAMSIZ (15)`);
    }
    // physdev_check() (x6_fcheck).
    if (values.size === 0) throw context.problem("PHYSDEV: no physdev option specified");
    const inValue = values.get("physdev-in");
    const outValue = values.get("physdev-out");
    const flag = (name: string) => (values.has(name) ? { invert: values.get(name)!.invert } : undefined);
    const isIn = flag("physdev-is-in");
    const isOut = flag("physdev-is-out");
    const isBridged = flag("physdev-is-bridged");
    return {
      kind: "physdev",
      ...(inValue ? { physdevIn: { name: inValue.value!, invert: inValue.invert } } : {}),
      ...(outValue ? { physdevOut: { name: outValue.value!, invert: outValue.invert } } : {}),
      ...(isIn ? { isIn } : {}),
      ...(isOut ? { isOut } : {}),
      ...(isBridged ? { isBridged } : {}),
    };
  },
  save: (match) => physdevOptions(match),
  print: (match) => ` PHYSDEV match${physdevOptions(match)}`,
};
