// iptables' owner match, revision 1 (extensions/libxt_owner.c:
// owner_mt_parse, owner_mt_check, owner_mt_save, owner_mt_print). Names are
// looked up in the machine's /etc/passwd and /etc/group: Debian 12's
// base-passwd accounts here.
import type { OwnerMatch } from "../../model/netfilter.js";
import { badOptionValue, option, unsignedValue, type OptionValue, type XtablesMatch, type XtablesParseContext } from "./xtables.js";

const NAME = "owner";
const USERS: Readonly<Record<string, number>> = { root: 0, daemon: 1, bin: 2, sys: 3, sync: 4, games: 5, man: 6, lp: 7, mail: 8, news: 9, uucp: 10, proxy: 13, "www-data": 33, backup: 34, list: 38, irc: 39, _apt: 42, nobody: 65534 };
const GROUPS: Readonly<Record<string, number>> = { root: 0, daemon: 1, bin: 2, sys: 3, adm: 4, tty: 5, disk: 6, lp: 7, mail: 8, news: 9, uucp: 10, man: 12, proxy: 13, kmem: 15, dialout: 20, fax: 21, voice: 22, cdrom: 24, floppy: 25, tape: 26, sudo: 27, audio: 29, dip: 30, "www-data": 33, backup: 34, operator: 37, list: 38, irc: 39, src: 40, shadow: 42, utmp: 43, video: 44, sasl: 45, plugdev: 46, staff: 50, games: 60, users: 100, nogroup: 65534 };

/** owner_parse_range(): a name, or N[-M] (a backwards range is the kernel's to refuse). */
function idRange(context: XtablesParseContext, name: string, value: OptionValue, names: Readonly<Record<string, number>>): { first: number; last: number; invert: boolean } {
  const text = value.value!;
  const named = names[text];
  if (named !== undefined) return { first: named, last: named, invert: value.invert };
  const [firstText = "", lastText] = text.split("-", 2);
  const first = unsignedValue(firstText, 0xfffffffe);
  const last = lastText === undefined ? first : unsignedValue(lastText, 0xfffffffe);
  if (first === undefined || last === undefined) throw badOptionValue(context, NAME, name, text);
  return { first, last, invert: value.invert };
}

function range(item: { first: number; last: number }): string {
  return item.first === item.last ? String(item.first) : `${item.first}-${item.last}`;
}

export const libxtOwner: XtablesMatch<OwnerMatch> = {
  name: NAME,
  description: "`owner` (the probes run as root)",
  options: [option("uid-owner", true, true), option("gid-owner", true, true), option("socket-exists", false, true), option("suppl-groups", false)],
  parse(values, context) {
    let supplementaryGroups = false;
    for (const name of values.keys()) {
      if (name === "suppl-groups") {
        // Parsed in order: --suppl-groups needs a --gid-owner before it.
        const before = [...values.keys()].indexOf("gid-owner");
        if (before < 0 || before > [...values.keys()].indexOf(name)) throw badOptionValue(context, NAME, "suppl-groups", "you need to use --gid-owner first");
        supplementaryGroups = true;
      }
    }
    const uid = values.get("uid-owner");
    const gid = values.get("gid-owner");
    const socket = values.get("socket-exists");
    return {
      kind: "owner",
      ...(uid ? { uid: idRange(context, "uid-owner", uid, USERS) } : {}),
      ...(gid ? { gid: idRange(context, "gid-owner", gid, GROUPS) } : {}),
      ...(socket ? { socketExists: { invert: socket.invert } } : {}),
      supplementaryGroups,
    };
  },
  save(match) {
    let text = "";
    if (match.uid) text += `${match.uid.invert ? " !" : ""} --uid-owner ${range(match.uid)}`;
    if (match.gid) text += `${match.gid.invert ? " !" : ""} --gid-owner ${range(match.gid)}`;
    if (match.socketExists) text += `${match.socketExists.invert ? " !" : ""} --socket-exists`;
    if (match.supplementaryGroups) text += " --suppl-groups";
    return text;
  },
  print(match) {
    let text = "";
    if (match.uid) text += `${match.uid.invert ? " !" : ""} owner UID match ${range(match.uid)}`;
    if (match.gid) text += `${match.gid.invert ? " !" : ""} owner GID match ${range(match.gid)}`;
    if (match.socketExists) text += `${match.socketExists.invert ? " !" : ""} owner socket exists`;
    if (match.supplementaryGroups) text += " incl. suppl. groups";
    return text;
  },
};
