// Derived state is kept with its owner but is no part of the owner's value:
// a copy (cloneWorld), a JSON dump and a deep comparison all leave it out.
import { describe, expect, it } from "vitest";
import { derivedOf } from "../../src/model/derived.js";
import { cloneWorld } from "../../src/model/world.js";
import { createWorld, rootNamespace } from "../../src/net/core/net-namespace.js";
import { advanceClock, timerStart } from "../../src/net/index.js";
import { ipRouteOutput } from "../../src/net/ipv4/route.js";

describe("derivedOf", () => {
  it("keeps one object per owner, outside the owner's value", () => {
    const owner: { value: number; derived?: { cache?: number } } = { value: 1 };
    derivedOf(owner).cache = 7;
    expect(derivedOf(owner).cache).toBe(7);
    expect(Object.keys(owner)).toEqual(["value"]);
    expect(JSON.stringify(owner)).toBe('{"value":1}');
    expect(structuredClone(owner).derived).toBeUndefined();
    expect(owner).toEqual({ value: 1 });
  });

  it("is left behind by cloneWorld: the copy derives its own (the dst cache here)", () => {
    const world = createWorld();
    const namespace = rootNamespace(world);
    expect(ipRouteOutput(namespace, 0x7f000001, {}).ok).toBe(true);
    expect(namespace.derived?.dstCache).toBeDefined();
    const copy = cloneWorld(world);
    expect(rootNamespace(copy).derived).toBeUndefined();
    expect(copy).toEqual(world);
  });

  it("keeps the world's callbacks out of its value: a world with a pending timer copies, and the copy's timer is inert", () => {
    const world = createWorld();
    let fired = 0;
    timerStart(world, 1000, () => fired++);
    expect(world.derived?.timers?.size).toBe(1);
    const copy = cloneWorld(world);
    expect(copy.derived).toBeUndefined();
    expect(copy.pending).toEqual(world.pending);
    advanceClock(copy, 2000);
    expect(fired).toBe(0);
    advanceClock(world, 2000);
    expect(fired).toBe(1);
  });
});
