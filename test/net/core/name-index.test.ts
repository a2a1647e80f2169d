// The name index behind namespaceByName/deviceByName must answer exactly as
// a scan of the maps would, through any sequence of adds, renames, moves and
// deletions, and on a structured clone of the world.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { applyOperation } from "../../../src/net/core/rtnetlink.js";
import { createWorld, deviceByName, namespaceByName, rootNamespace } from "../../../src/net/core/net-namespace.js";
import { cloneWorld, type World } from "../../../src/model/world.js";

function scanNamespace(world: World, name: string) {
  for (const namespace of world.namespaces.values()) if (namespace.name === name) return namespace;
  return undefined;
}

describe("name index", () => {
  it("agrees with a scan after any sequence of link and namespace operations", () => {
    const names = ["a", "b", "c", "d"];
    const action = fc.oneof(
      fc.record({ kind: fc.constant("netns-add" as const), name: fc.constantFrom(...names) }),
      fc.record({ kind: fc.constant("netns-delete" as const), name: fc.constantFrom(...names) }),
      fc.record({ kind: fc.constant("veth" as const), name: fc.constantFrom(...names), peer: fc.constantFrom(...names) }),
      fc.record({ kind: fc.constant("rename" as const), name: fc.constantFrom(...names), to: fc.constantFrom(...names) }),
      fc.record({ kind: fc.constant("move" as const), name: fc.constantFrom(...names), to: fc.constantFrom(...names) }),
      fc.record({ kind: fc.constant("delete" as const), name: fc.constantFrom(...names) }),
      fc.record({ kind: fc.constant("clone" as const) }),
    );
    fc.assert(
      fc.property(fc.array(action, { maxLength: 30 }), (actions) => {
        let world = createWorld();
        for (const step of actions) {
          const root = rootNamespace(world);
          // Look up first, so an index exists before the change.
          deviceByName(root, "x");
          namespaceByName(world, "x");
          if (step.kind === "clone") world = cloneWorld(world);
          else if (step.kind === "netns-add") applyOperation(world, { op: "netns-add", name: step.name });
          else if (step.kind === "netns-delete") applyOperation(world, { op: "netns-delete", name: step.name });
          else if (step.kind === "veth") applyOperation(world, { op: "link-add", namespaceId: root.id, name: `v${step.name}`, kind: "veth", peer: { name: `p${step.peer}`, namespaceId: root.id } });
          else {
            const device = deviceByName(root, `v${step.name}`) ?? deviceByName(root, `p${step.name}`);
            if (!device) continue;
            if (step.kind === "rename") applyOperation(world, { op: "link-set", namespaceId: root.id, index: device.index, name: `v${step.to}` });
            else if (step.kind === "delete") applyOperation(world, { op: "link-delete", namespaceId: root.id, index: device.index });
            else {
              const target = namespaceByName(world, step.to);
              if (target) applyOperation(world, { op: "link-set", namespaceId: root.id, index: device.index, namespaceTarget: target.id });
            }
          }
          for (const name of ["", ...names, "x"]) expect(namespaceByName(world, name)).toBe(scanNamespace(world, name));
          for (const namespace of world.namespaces.values()) {
            for (const name of ["lo", ...names.flatMap((n) => [`v${n}`, `p${n}`])]) {
              const scanned = [...namespace.devices.values()].find((device) => device.name === name);
              expect(deviceByName(namespace, name)).toBe(scanned);
            }
          }
        }
      }),
      { numRuns: 150 },
    );
  });
});
