// Item 4: longest-prefix match over a full-table-like routing table, the
// model's FIB (one map per prefix length, net/ipv4/fib-table.ts) against a
// linear scan of every route. Both must pick the same route for every
// destination; the bench checks that before it counts.
import { prefixMask, type Ipv4Address } from "../model/address.js";
import { RT_TABLE_MAIN, type Route } from "../model/route.js";
import { createFibTable, createWorld, fibTableInsert, fibTableLookup, rootNamespace } from "../net/index.js";
import { formatCount, formatRatio, ratePerSecond, seededRandom, type BenchRow } from "./measure.js";

/** Share of each prefix length in a BGP full table (rounded from public table reports, 2024). */
const LENGTH_MIX: ReadonlyArray<readonly [number, number]> = [
  [8, 0.0001], [10, 0.0002], [11, 0.0003], [12, 0.001], [13, 0.002], [14, 0.003], [15, 0.004],
  [16, 0.013], [17, 0.008], [18, 0.013], [19, 0.025], [20, 0.04], [21, 0.045], [22, 0.12], [23, 0.1], [24, 0.6],
  [25, 0.008], [26, 0.006], [27, 0.004], [28, 0.003], [29, 0.002], [30, 0.001], [32, 0.0014],
];

export function fullTableRoutes(count: number, seed: number): Route[] {
  const random = seededRandom(seed);
  const total = LENGTH_MIX.reduce((sum, [, share]) => sum + share, 0);
  const seen = new Set<string>();
  const routes: Route[] = [];
  while (routes.length < count) {
    let pick = random() * total;
    let length = 24;
    for (const [candidate, share] of LENGTH_MIX) {
      pick -= share;
      if (pick <= 0) {
        length = candidate;
        break;
      }
    }
    // Unicast space 1.0.0.0 - 223.255.255.255.
    const address = ((1 + Math.floor(random() * 223)) * 0x1000000 + Math.floor(random() * 0x1000000)) & prefixMask(length);
    const key = `${address >>> 0}/${length}`;
    if (seen.has(key)) continue;
    seen.add(key);
    routes.push({
      table: RT_TABLE_MAIN,
      type: "unicast",
      prefix: { address: address >>> 0, length },
      nexthop: { deviceIndex: 2 + (routes.length % 4), gateway: 0xc0a80001 + (routes.length % 4) },
      metric: 0,
      protocol: "boot",
      scope: "global",
    });
  }
  return routes;
}

/** Destinations: most inside a route's prefix (random host bits), some anywhere. */
export function lookupDestinations(routes: readonly Route[], count: number, seed: number): Ipv4Address[] {
  const random = seededRandom(seed);
  const destinations: Ipv4Address[] = [];
  for (let index = 0; index < count; index++) {
    if (random() < 0.1) destinations.push(Math.floor(random() * 0x100000000) >>> 0);
    else {
      const route = routes[Math.floor(random() * routes.length)]!;
      destinations.push((route.prefix.address | (Math.floor(random() * 0x100000000) & ~prefixMask(route.prefix.length))) >>> 0);
    }
  }
  return destinations;
}

/** The baseline: every route checked, the longest matching prefix kept (first one on a tie). */
export function linearLookup(routes: readonly Route[], destination: Ipv4Address): Route | undefined {
  let best: Route | undefined;
  let bestLength = -1;
  for (const route of routes) {
    const length = route.prefix.length;
    if (length > bestLength && ((destination & prefixMask(length)) >>> 0) === route.prefix.address) {
      best = route;
      bestLength = length;
    }
  }
  return best;
}

interface SizeFigures {
  readonly routes: number;
  readonly fibPerSecond: number;
  readonly linearPerSecond: number;
  /** Map probes a lookup makes (one per prefix length tried, longest first): the work, free of timing noise. */
  readonly meanProbes: number;
  readonly maximumProbes: number;
}

/** The probes fibTableLookup() makes for a destination: the lengths it tries before the one that matches. */
function probesFor(table: ReturnType<typeof createFibTable>, match: Route | undefined): number {
  return match === undefined ? table.lengths.length : table.lengths.indexOf(match.prefix.length) + 1;
}

function measureSize(count: number, quick: boolean): SizeFigures {
  const routes = fullTableRoutes(count, 0x5eed + count);
  const namespace = rootNamespace(createWorld());
  const table = createFibTable(RT_TABLE_MAIN);
  for (const route of routes) fibTableInsert(namespace, table, route, "exclusive");
  const destinations = lookupDestinations(routes, 4096, 0xd00d);
  const usable = () => true;
  for (const destination of destinations.slice(0, 512)) {
    const fast = fibTableLookup(table, destination, usable)?.route;
    const slow = linearLookup(routes, destination);
    if (fast !== slow) throw new Error(`routing bench: the FIB and the linear scan disagree for ${destination >>> 0}`);
  }
  const probes = destinations.map((destination) => probesFor(table, fibTableLookup(table, destination, usable)?.route));
  const mask = destinations.length - 1;
  let sink = 0;
  const fibPerSecond = ratePerSecond((index) => {
    if (fibTableLookup(table, destinations[index & mask]!, usable)) sink++;
  }, 4096, quick ? 100 : 300);
  const linearPerSecond = ratePerSecond((index) => {
    if (linearLookup(routes, destinations[index & mask]!)) sink++;
  }, Math.max(1, Math.floor(200_000 / count)), quick ? 100 : 300, quick ? 1 : 2);
  if (sink < 0) throw new Error("unreachable");
  return { routes: count, fibPerSecond, linearPerSecond, meanProbes: probes.reduce((sum, value) => sum + value, 0) / probes.length, maximumProbes: Math.max(...probes) };
}

export function routingBench(quick: boolean): BenchRow[] {
  const sizes = [1_000, 10_000, 100_000].map((count) => measureSize(count, quick));
  const full = sizes[2]!;
  const ratio = full.fibPerSecond / full.linearPerSecond;
  // Cost independent of table size: the work (probes) bounded by the 33 prefix
  // lengths at every size, and the time growing far less than the table (the
  // rest is the cache misses of a bigger table, which timing alone can't tell
  // from work on a shared machine).
  const flatness = sizes[0]!.fibPerSecond / full.fibPerSecond;
  const maximumProbes = Math.max(...sizes.map((size) => size.maximumProbes));
  return [
    {
      item: 4,
      name: "route lookups, 100,000 routes (full-table mix)",
      simulator: `${formatCount(full.fibPerSecond)} lookups/s`,
      baseline: `linear scan ${formatCount(full.linearPerSecond)} lookups/s`,
      ratio,
      target: "≥ 100×",
      met: ratio >= 100,
      figures: { routes: full.routes, fibLookupsPerSecond: full.fibPerSecond, linearLookupsPerSecond: full.linearPerSecond },
    },
    {
      item: 4,
      name: "route lookup cost vs table size (1k → 100k routes)",
      simulator: sizes.map((size) => `${formatCount(size.routes)}: ${formatCount(size.fibPerSecond)}/s`).join(", "),
      baseline: `linear: ${sizes.map((size) => `${formatCount(size.linearPerSecond)}/s`).join(", ")}`,
      target: "O(prefix length), not O(routes)",
      met: maximumProbes <= 33 && flatness < 10,
      note: `map probes a lookup (mean, most): ${sizes.map((size) => `${formatCount(size.routes)}: ${size.meanProbes.toFixed(1)}, ${size.maximumProbes}`).join("; ")} — never more than the 33 prefix lengths; time: the FIB slows ${formatRatio(flatness)} from 1k to 100k routes (the cache misses of a bigger table), the scan ${formatRatio(sizes[0]!.linearPerSecond / full.linearPerSecond)}`,
      figures: Object.fromEntries(sizes.flatMap((size) => [[`fibPerSecond_${size.routes}`, size.fibPerSecond], [`linearPerSecond_${size.routes}`, size.linearPerSecond], [`meanProbes_${size.routes}`, size.meanProbes], [`maximumProbes_${size.routes}`, size.maximumProbes]])),
    },
  ];
}
