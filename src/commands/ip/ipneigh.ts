// `ip neigh` (iproute2 ip/ipneigh.c: print_neigh, ipneigh_modify).
import { formatIpv4Address } from "../../model/address.js";
import { parseMacAddress } from "../../model/mac.js";
import type { NeighbourEntry, NeighbourState } from "../../model/neighbour.js";
import { applyOperation, neighbourState } from "../../net/index.js";
import { CommandError, done, UnsupportedError, type CommandOutcome } from "../command.js";
import { Arguments, checkKernel, duplicateArgument, getAddrIpv4, invalidArgument, matches, requireDevice } from "./ip-common.js";
import type { IpContext } from "./ip.js";

export function doIpNeigh(argv: readonly string[], context: IpContext): CommandOutcome {
  const command = argv[0];
  if (command === undefined) return neighShow([], context);
  const rest = argv.slice(1);
  if (matches(command, "show") || matches(command, "list") || matches(command, "lst")) return neighShow(rest, context);
  if (matches(command, "flush")) return neighFlush(rest, context);
  if (matches(command, "add") || matches(command, "replace") || matches(command, "change")) return neighModify(rest, context, matches(command, "add") ? "add" : "replace");
  if (matches(command, "delete")) return neighModify(rest, context, "delete");
  throw new CommandError(`Command "${command}" is unknown, try "ip neigh help".`, 255);
}

interface NeighbourSelector {
  deviceIndex?: number;
  address?: number;
  /** `all`, `any` or `default` (get_prefix()'s names for 0/0): every address, which counts as an argument to flush. */
  allAddresses?: boolean;
  /** `nud STATE`: only entries in these states (iproute2's default hides NOARP). */
  states?: Set<NeighbourState>;
}

const NUD_FILTERS: Record<string, NeighbourState[]> = {
  permanent: ["PERMANENT"],
  reachable: ["REACHABLE"],
  stale: ["STALE"],
  delay: ["DELAY"],
  probe: ["PROBE"],
  failed: ["FAILED"],
  incomplete: ["INCOMPLETE"],
  noarp: ["NOARP"],
  all: ["PERMANENT", "REACHABLE", "STALE", "DELAY", "PROBE", "FAILED", "INCOMPLETE", "NOARP"],
  none: [],
};

function parseSelector(argv: readonly string[], context: IpContext): NeighbourSelector {
  const args = new Arguments(argv);
  const selector: NeighbourSelector = {};
  while (!args.done) {
    const word = args.next();
    if (word === "dev") selector.deviceIndex = requireDevice(context.target, args.value()).index;
    else if (word === "nud") {
      const value = args.value();
      const states = NUD_FILTERS[value];
      if (!states) invalidArgument("nud state is bad", value);
      selector.states ??= new Set();
      for (const state of states) selector.states.add(state);
    } else if (word === "proxy" || word === "unused" || word === "vrf") throw new UnsupportedError(word, `"ip neigh show ${word}" is not modelled`);
    else {
      const prefix = word === "to" ? args.value() : word;
      if (prefix === "all" || prefix === "any" || prefix === "default") {
        selector.allAddresses = true;
        continue;
      }
      const address = getAddrIpv4(prefix);
      if (address === undefined) throw new CommandError(`Error: any valid prefix is expected rather than "${word}".`, 1);
      selector.address = address;
    }
  }
  return selector;
}

/** Entries in the order iproute2 prints them (the kernel's hash order differs per boot; the model keeps creation order). */
function selectEntries(context: IpContext, selector: NeighbourSelector): NeighbourEntry[] {
  const now = context.world.clock;
  return [...context.target.neighbours.values()].filter(
    (entry) =>
      (selector.deviceIndex === undefined || entry.deviceIndex === selector.deviceIndex) &&
      (selector.address === undefined || entry.address === selector.address) &&
      (selector.states === undefined ? neighbourState(entry, now) !== "NOARP" : selector.states.has(neighbourState(entry, now))),
  );
}

function neighShow(argv: readonly string[], context: IpContext): CommandOutcome {
  const selector = parseSelector(argv, context);
  const now = context.world.clock;
  const entries = selectEntries(context, selector);
  const deviceName = (entry: NeighbourEntry) => context.target.devices.get(entry.deviceIndex)?.name ?? `if${entry.deviceIndex}`;
  if (context.options.json) {
    return done(
      `${JSON.stringify(
        entries.map((entry) => {
          const state = neighbourState(entry, now);
          return {
            dst: formatIpv4Address(entry.address),
            ...(selector.deviceIndex === undefined ? { dev: deviceName(entry) } : {}),
            ...(entry.mac !== undefined && state !== "INCOMPLETE" && state !== "FAILED" ? { lladdr: entry.mac } : {}),
            state: [state],
          };
        }),
      )}\n`,
    );
  }
  if (context.options.brief) {
    return done(entries.map((entry) => `${formatIpv4Address(entry.address).padEnd(39)} ${deviceName(entry).padEnd(16)} ${entry.mac ?? ""}\n`).join(""));
  }
  return done(
    entries
      .map((entry) => {
        const state = neighbourState(entry, now);
        const words = [formatIpv4Address(entry.address)];
        if (selector.deviceIndex === undefined) words.push("dev", deviceName(entry));
        if (entry.mac !== undefined && state !== "INCOMPLETE" && state !== "FAILED") words.push("lladdr", entry.mac);
        words.push(state);
        return `${words.join(" ")} \n`;
      })
      .join(""),
  );
}

function neighFlush(argv: readonly string[], context: IpContext): CommandOutcome {
  const selector = parseSelector(argv, context);
  if (selector.deviceIndex === undefined && selector.address === undefined && selector.allAddresses !== true) throw new CommandError("Flush requires arguments.", 1);
  // What the flush deletes (as rtnetlink's neigh-flush picks them): -s counts them.
  let flushed = 0;
  for (const entry of context.target.neighbours.values()) {
    if ((selector.deviceIndex === undefined || entry.deviceIndex === selector.deviceIndex) && (selector.address === undefined || entry.address === selector.address) && entry.state !== "PERMANENT") flushed++;
  }
  checkKernel(
    applyOperation(context.world, {
      op: "neigh-flush",
      namespaceId: context.target.id,
      ...(selector.deviceIndex !== undefined ? { deviceIndex: selector.deviceIndex } : {}),
      ...(selector.address !== undefined ? { address: selector.address } : {}),
    }),
  );
  if (!context.options.statistics) return done("");
  // do_show_or_flush(): one round deletes them all here.
  return done(flushed === 0 ? "Nothing to flush.\n" : `\n*** Round 1, deleting ${flushed} entries ***\n*** Flush is complete after 1 round ***\n`);
}

const NUD_STATES: Record<string, NeighbourState> = { permanent: "PERMANENT", reachable: "REACHABLE", stale: "STALE", noarp: "NOARP" };

function neighModify(argv: readonly string[], context: IpContext, mode: "add" | "replace" | "delete"): CommandOutcome {
  const args = new Arguments(argv);
  let address: number | undefined;
  let mac: string | undefined;
  let deviceName: string | undefined;
  let state: NeighbourState = "PERMANENT";
  while (!args.done) {
    const word = args.next();
    if (word === "lladdr") {
      const value = args.value();
      mac = parseMacAddress(value) ?? (() => { throw new CommandError(`"${value}" is invalid lladdr.`, 255); })();
    } else if (word === "dev") deviceName = args.value();
    else if (word === "nud") {
      const value = args.value();
      state = NUD_STATES[value] ?? (() => { throw new UnsupportedError(value, `neighbour state "${value}" is not modelled`); })();
    } else if (address === undefined) {
      address = getAddrIpv4(word === "to" ? args.value() : word) ?? (() => { throw new CommandError(`Error: any valid prefix is expected rather than "${word}".`, 1); })();
    } else duplicateArgument("to", word);
  }
  if (address === undefined || deviceName === undefined) throw new CommandError("Device and destination are required arguments.", 255);
  const device = requireDevice(context.target, deviceName);
  const origin = context.origin ? { origin: context.origin } : {};
  if (mode === "delete") {
    checkKernel(applyOperation(context.world, { op: "neigh-delete", namespaceId: context.target.id, deviceIndex: device.index, address, ...origin }));
  } else {
    checkKernel(applyOperation(context.world, { op: "neigh-set", namespaceId: context.target.id, deviceIndex: device.index, address, ...(mac ? { mac } : {}), state, exclusive: mode === "add", ...origin }));
  }
  return done("");
}
