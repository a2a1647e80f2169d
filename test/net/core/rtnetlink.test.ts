// rtnetlink's bridge membership: a bridge whose MAC was not set by hand
// carries the lowest MAC of its ports (br_stp_recalculate_bridge_id), kept
// up to date port by port rather than by scanning every port on each change.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { NetDevice } from "../../../src/model/netdevice.js";
import { ROOT_NAMESPACE_ID, type World } from "../../../src/model/world.js";
import type { Operation } from "../../../src/model/operations.js";
import { createWorld } from "../../../src/net/core/net-namespace.js";
import { applyOperation } from "../../../src/net/core/rtnetlink.js";

function root(world: World) {
  return world.namespaces.get(ROOT_NAMESPACE_ID)!;
}

function named(world: World, name: string): NetDevice | undefined {
  return [...root(world).devices.values()].find((device) => device.name === name);
}

/** What the kernel's recalculation gives: the lowest port MAC, or the MAC kept when there is no port. */
function lowestPortMac(world: World, bridge: NetDevice): string | undefined {
  const macs = [...root(world).devices.values()].filter((device) => device.masterIndex === bridge.index).map((device) => device.mac);
  return macs.sort()[0];
}

type Step =
  | { readonly kind: "enslave"; readonly port: number; readonly bridge: number }
  | { readonly kind: "release"; readonly port: number }
  | { readonly kind: "mac"; readonly port: number; readonly mac: string }
  | { readonly kind: "delete"; readonly port: number }
  | { readonly kind: "add"; readonly port: number };

const PORTS = 6;
const macArbitrary = fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 255 })).map(([high, low]) => `02:00:00:00:0${high}:${low.toString(16).padStart(2, "0")}`);
const stepArbitrary: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant("enslave" as const), port: fc.nat(PORTS - 1), bridge: fc.nat(1) }),
  fc.record({ kind: fc.constant("release" as const), port: fc.nat(PORTS - 1) }),
  fc.record({ kind: fc.constant("mac" as const), port: fc.nat(PORTS - 1), mac: macArbitrary }),
  fc.record({ kind: fc.constant("delete" as const), port: fc.nat(PORTS - 1) }),
  fc.record({ kind: fc.constant("add" as const), port: fc.nat(PORTS - 1) }),
);

function apply(world: World, step: Step): void {
  const namespaceId = ROOT_NAMESPACE_ID;
  const port = named(world, `p${step.port}`);
  let operation: Operation | undefined;
  if (step.kind === "add") operation = port ? undefined : { op: "link-add", namespaceId, name: `p${step.port}`, kind: "veth", peer: { name: `q${step.port}`, namespaceId } };
  else if (!port) operation = undefined;
  else if (step.kind === "enslave") operation = { op: "link-set", namespaceId, index: port.index, masterIndex: named(world, `br${step.bridge}`)!.index };
  else if (step.kind === "release") operation = { op: "link-set", namespaceId, index: port.index, masterIndex: null };
  else if (step.kind === "mac") operation = { op: "link-set", namespaceId, index: port.index, mac: step.mac };
  else operation = { op: "link-delete", namespaceId, index: port.index };
  if (operation) applyOperation(world, operation);
}

describe("rtnetlink bridge MAC", () => {
  it("keeps every bridge at the lowest MAC of its ports (zero once the last leaves) through any sequence of joins, leaves, MAC changes and deletions", () => {
    fc.assert(
      fc.property(fc.array(stepArbitrary, { maxLength: 40 }), fc.boolean(), (steps, fixFirst) => {
        const world = createWorld();
        applyOperation(world, { op: "link-add", namespaceId: ROOT_NAMESPACE_ID, name: "br0", kind: "bridge", ...(fixFirst ? { mac: "02:00:00:00:09:99" } : {}) });
        applyOperation(world, { op: "link-add", namespaceId: ROOT_NAMESPACE_ID, name: "br1", kind: "bridge" });
        for (let index = 0; index < PORTS; index++) apply(world, { kind: "add", port: index });
        const kept = new Map<string, string>();
        const hadPorts = new Map<string, boolean>();
        for (const step of steps) {
          for (const name of ["br0", "br1"]) {
            kept.set(name, named(world, name)!.mac);
            hadPorts.set(name, lowestPortMac(world, named(world, name)!) !== undefined);
          }
          apply(world, step);
          for (const name of ["br0", "br1"]) {
            const bridge = named(world, name)!;
            const fixed = name === "br0" && fixFirst;
            // The last port gone, br_stp_recalculate_bridge_id() leaves br_mac_zero; a bridge that had none keeps its own.
            const expected = fixed ? "02:00:00:00:09:99" : (lowestPortMac(world, bridge) ?? (hadPorts.get(name) ? "00:00:00:00:00:00" : kept.get(name)));
            expect(bridge.mac).toBe(expected);
            // The bridge's own address is a local entry of its forwarding database (fdb_add_local() refuses the zero MAC).
            if (expected === "00:00:00:00:00:00") expect(bridge.bridge!.fdb.has(bridge.mac)).toBe(false);
            else expect(bridge.bridge!.fdb.get(bridge.mac)?.local).toBe(true);
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});
