// The routing generation is each namespace's own (net->ipv4.rt_genid): a
// change in one namespace leaves another's cached routes warm, while a link
// operation, which can reach the namespaces a link joins, makes them all stale.
import { describe, expect, it } from "vitest";
import { applyOperation, createWorld, rootNamespace } from "../../../src/net/index.js";
import { namespaceByName } from "../../../src/net/core/net-namespace.js";
import { rtGenid } from "../../../src/net/core/rt-genid.js";
import { ipRouteOutput } from "../../../src/net/ipv4/route.js";
import { cloneWorld } from "../../../src/model/world.js";

function twoNamespaces() {
  const world = createWorld();
  expect(applyOperation(world, { op: "netns-add", name: "other" }).ok).toBe(true);
  return { world, root: rootNamespace(world), other: namespaceByName(world, "other")! };
}

describe("rt_genid", () => {
  it("moves only in the namespace whose sysctl, ruleset or FIB changed", () => {
    const { world, root, other } = twoNamespaces();
    const rootBefore = rtGenid(root);
    const otherBefore = rtGenid(other);
    expect(applyOperation(world, { op: "sysctl-set", namespaceId: other.id, key: "net.ipv4.ip_forward", value: "1" }).ok).toBe(true);
    expect(applyOperation(world, { op: "conntrack-flush", namespaceId: other.id }).ok).toBe(true);
    expect(rtGenid(root)).toBe(rootBefore);
    expect(rtGenid(other)).toBe(otherBefore + 2);
  });

  it("keeps the other namespace's cached route: the same result object comes back", () => {
    const { world, root, other } = twoNamespaces();
    const first = ipRouteOutput(root, 0x7f000001, {});
    expect(applyOperation(world, { op: "sysctl-set", namespaceId: other.id, key: "net.ipv4.ip_forward", value: "1" }).ok).toBe(true);
    expect(ipRouteOutput(root, 0x7f000001, {})).toBe(first);
    expect(applyOperation(world, { op: "sysctl-set", namespaceId: root.id, key: "net.ipv4.ip_forward", value: "1" }).ok).toBe(true);
    expect(ipRouteOutput(root, 0x7f000001, {})).not.toBe(first);
  });

  it("moves a namespace made after the world's first bump with the world's later ones, and leaves a copy's apart", () => {
    const { world } = twoNamespaces();
    expect(applyOperation(world, { op: "netns-add", name: "late" }).ok).toBe(true);
    const late = namespaceByName(world, "late")!;
    const before = rtGenid(late);
    const copy = cloneWorld(world);
    const copyBefore = rtGenid(namespaceByName(copy, "late")!);
    expect(applyOperation(world, { op: "link-add", namespaceId: rootNamespace(world).id, name: "dummy0", kind: "dummy" }).ok).toBe(true);
    expect(rtGenid(late)).toBeGreaterThan(before);
    expect(rtGenid(namespaceByName(copy, "late")!)).toBe(copyBefore);
  });

  it("moves in every namespace on a link operation", () => {
    const { world, root, other } = twoNamespaces();
    const rootBefore = rtGenid(root);
    const otherBefore = rtGenid(other);
    expect(applyOperation(world, { op: "link-add", namespaceId: other.id, name: "dummy0", kind: "dummy" }).ok).toBe(true);
    expect(rtGenid(root)).toBeGreaterThan(rootBefore);
    expect(rtGenid(other)).toBeGreaterThan(otherBefore);
  });
});
