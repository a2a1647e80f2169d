import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { networkAddress, prefixContains } from "../../../src/model/address.js";
import { RT_TABLE_MAIN, type Route } from "../../../src/model/route.js";
import { createWorld, rootNamespace } from "../../../src/net/core/net-namespace.js";
import { createFibTable, fibTableDelete, fibTableDump, fibTableInsert, fibTableLookup } from "../../../src/net/ipv4/fib-table.js";

const SEED = 20261128;
/** The namespace the tables' changes flush (their cached routes: rt-genid.ts). */
const namespace = rootNamespace(createWorld());

function route(address: number, length: number, metric: number, deviceIndex: number): Route {
  return {
    table: RT_TABLE_MAIN,
    type: "unicast",
    prefix: { address: networkAddress(address, length), length },
    nexthop: { deviceIndex },
    metric,
    protocol: "boot",
    scope: "link",
  };
}

/** The answer by brute force: the longest containing prefix, then the lowest metric, then the earliest inserted. */
function bruteForce(routes: readonly Route[], destination: number): Route | undefined {
  let best: Route | undefined;
  for (const candidate of routes) {
    if (!prefixContains(candidate.prefix, destination)) continue;
    if (!best || candidate.prefix.length > best.prefix.length || (candidate.prefix.length === best.prefix.length && candidate.metric < best.metric)) best = candidate;
  }
  return best;
}

// Addresses drawn from a few /8s so that prefixes overlap often.
const address = fc.tuple(fc.constantFrom(10, 172, 192), fc.integer({ min: 0, max: 0xffffff })).map(([high, low]) => ((high << 24) | low) >>> 0);
const routeArbitrary = fc.tuple(address, fc.integer({ min: 0, max: 32 }), fc.constantFrom(0, 0, 10, 100), fc.integer({ min: 2, max: 9 })).map(([a, l, m, d]) => route(a, l, m, d));

describe("fib_table_lookup", () => {
  it("equals a brute-force longest-prefix search (then metric, then list order)", () => {
    fc.assert(
      fc.property(fc.array(routeArbitrary, { maxLength: 40 }), fc.array(address, { minLength: 1, maxLength: 20 }), (routes, destinations) => {
        const table = createFibTable(RT_TABLE_MAIN);
        for (const candidate of routes) fibTableInsert(namespace, table, candidate, "append");
        for (const destination of destinations) {
          expect(fibTableLookup(table, destination, () => true)?.route).toBe(bruteForce(routes, destination));
        }
      }),
      { seed: SEED, numRuns: 200 },
    );
  });

  it("removing a route never makes a more specific route lose", () => {
    fc.assert(
      fc.property(fc.array(routeArbitrary, { minLength: 1, maxLength: 30 }), fc.nat(), fc.array(address, { minLength: 1, maxLength: 20 }), (routes, pick, destinations) => {
        const table = createFibTable(RT_TABLE_MAIN);
        for (const candidate of routes) fibTableInsert(namespace, table, candidate, "append");
        const before = destinations.map((destination) => fibTableLookup(table, destination, () => true)?.route);
        const removed = routes[pick % routes.length]!;
        fibTableDelete(namespace, table, removed);
        destinations.forEach((destination, index) => {
          const previous = before[index];
          const now = fibTableLookup(table, destination, () => true)?.route;
          // Only lookups that chose the removed route may change answer.
          if (previous !== removed) expect(now).toBe(previous);
          else if (now) expect(now.prefix.length).toBeLessThanOrEqual(removed.prefix.length);
        });
      }),
      { seed: SEED, numRuns: 200 },
    );
  });

  it("skips a prefix whose aliases are all unusable and backtracks to a shorter one", () => {
    const table = createFibTable(RT_TABLE_MAIN);
    const wide = route(0x0a000000, 8, 0, 2);
    const narrow = route(0x0a010000, 16, 0, 3);
    fibTableInsert(namespace, table, wide, "append");
    fibTableInsert(namespace, table, narrow, "append");
    expect(fibTableLookup(table, 0x0a010203, () => true)?.route).toBe(narrow);
    expect(fibTableLookup(table, 0x0a010203, (candidate) => candidate.nexthop?.deviceIndex !== 3)?.route).toBe(wide);
  });
});

describe("fib_table_insert", () => {
  it("refuses a same-prefix, same-metric twin in exclusive mode (ip route add) but appends and prepends", () => {
    const table = createFibTable(RT_TABLE_MAIN);
    const first = route(0xc0a80000, 16, 0, 2);
    expect(fibTableInsert(namespace, table, first, "exclusive")).toBe(true);
    expect(fibTableInsert(namespace, table, route(0xc0a80000, 16, 0, 3), "exclusive")).toBe(false);
    const appended = route(0xc0a80000, 16, 0, 4);
    const prepended = route(0xc0a80000, 16, 0, 5);
    fibTableInsert(namespace, table, appended, "append");
    fibTableInsert(namespace, table, prepended, "prepend");
    expect(fibTableDump(table)).toEqual([prepended, first, appended]);
    const metric10 = route(0xc0a80000, 16, 10, 7);
    fibTableInsert(namespace, table, metric10, "prepend");
    expect(fibTableDump(table).at(-1)).toBe(metric10);
  });

  it("dumps by address, longer prefix first for the same address, then metric", () => {
    const table = createFibTable(RT_TABLE_MAIN);
    const routes = [route(0x0a000000, 8, 0, 2), route(0x0a000000, 16, 0, 2), route(0x0a000000, 24, 5, 2), route(0x0a000000, 24, 0, 2), route(0, 0, 0, 2), route(0x09000000, 8, 0, 2), route(0x0a010200, 24, 0, 2)];
    for (const candidate of routes) fibTableInsert(namespace, table, candidate, "append");
    const dumped = fibTableDump(table).map((candidate) => `${candidate.prefix.address >>> 24}.${(candidate.prefix.address >>> 16) & 255}.${(candidate.prefix.address >>> 8) & 255}/${candidate.prefix.length} m${candidate.metric}`);
    // As the kernel dumps them (measured: test/fixtures/iproute2, routes-add).
    expect(dumped).toEqual(["0.0.0/0 m0", "9.0.0/8 m0", "10.0.0/24 m0", "10.0.0/24 m5", "10.0.0/16 m0", "10.0.0/8 m0", "10.1.2/24 m0"]);
  });
});
