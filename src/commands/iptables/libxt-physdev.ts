// iptables' physdev match (extensions/libxt_physdev.c: physdev_opts,
// physdev_parse, physdev_save, physdev_print). Its packet test is the
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
  guided: false,
  options: [option("physdev-in"), option("physdev-out"), option("physdev-is-in", false), option("physdev-is-out", false), option("physdev-is-bridged", false)],
  parse(values) {
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
