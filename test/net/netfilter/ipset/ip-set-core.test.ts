// ip_set_core as the model runs it: slots reused as the kernel's index is,
// the hash:net walk over prefixes (most specific first, nomatch), timeouts
// on the virtual clock, references held by rules, and swap.
import { describe, expect, it } from "vitest";
import type { IpSetCreate, IpSetElementSpec } from "../../../../src/model/ipset.js";
import { parseIpv4Address } from "../../../../src/model/address.js";
import type { NetworkNamespace } from "../../../../src/model/netns.js";
import type { World } from "../../../../src/model/world.js";
import { createWorld, rootNamespace } from "../../../../src/net/core/net-namespace.js";
import { ipSetApply, ipSetByName, ipSets, ipSetTestElement, ipSetUtest } from "../../../../src/net/netfilter/ipset/ip-set-core.js";

const create = (name: string, type: IpSetCreate["type"], extra: Partial<IpSetCreate> = {}): IpSetCreate => ({ name, type, hashsize: 1024, maxelem: 65536, netmask: 32, counters: false, comment: false, skbinfo: false, ...extra });
const ip = (text: string) => parseIpv4Address(text)!;
const element = (address: string, cidr = 32, extra: Partial<IpSetElementSpec> = {}): IpSetElementSpec => ({ ip: ip(address), cidr, protocol: 0, port: 0, nomatch: false, ...extra });

function setup(): { world: World; namespace: NetworkNamespace } {
  const world = createWorld();
  return { world, namespace: rootNamespace(world) };
}

describe("ip_set_core", () => {
  it("gives a new set the first free slot, as the kernel's index does", () => {
    const { world, namespace } = setup();
    for (const name of ["a", "b", "c"]) expect(ipSetApply(world, namespace, { kind: "create", create: create(name, "hash:ip"), exist: false }).ok).toBe(true);
    ipSetApply(world, namespace, { kind: "destroy", name: "a" });
    ipSetApply(world, namespace, { kind: "create", create: create("d", "hash:ip"), exist: false });
    expect(ipSets(namespace).map((set) => set.name)).toEqual(["d", "b", "c"]);
  });

  it("tests an address against each prefix the set holds, most specific first; a nomatch element found first is a miss", () => {
    const { world, namespace } = setup();
    ipSetApply(world, namespace, { kind: "create", create: create("n", "hash:net"), exist: false });
    ipSetApply(world, namespace, { kind: "add", name: "n", elements: [element("10.0.0.0", 8), element("10.1.0.0", 16, { nomatch: true }), element("10.1.2.0", 24)], exist: false });
    const test = (address: string) => ipSetUtest(namespace, "n", element(address), world.clock);
    expect(test("10.9.9.9")).toEqual({ ok: true, found: true });
    expect(test("10.1.9.9")).toEqual({ ok: true, found: false });
    expect(test("10.1.2.3")).toEqual({ ok: true, found: true });
    expect(test("11.0.0.1")).toEqual({ ok: true, found: false });
    expect(ipSetTestElement(ipSetByName(namespace, "n")!, element("10.1.9.9"), world.clock).kind).toBe("nomatch");
  });

  it("lets an element time out on the virtual clock, and a timed-out one be added again", () => {
    const { world, namespace } = setup();
    ipSetApply(world, namespace, { kind: "create", create: create("t", "hash:ip", { timeout: 5 }), exist: false });
    ipSetApply(world, namespace, { kind: "add", name: "t", elements: [element("1.1.1.1", 32, { timeout: 2 }), element("1.1.1.2", 32, { timeout: 0 })], exist: false });
    world.clock += 1_999_999;
    expect(ipSetUtest(namespace, "t", element("1.1.1.1"), world.clock)).toEqual({ ok: true, found: true });
    world.clock += 1;
    expect(ipSetUtest(namespace, "t", element("1.1.1.1"), world.clock)).toEqual({ ok: true, found: false });
    world.clock += 3600_000_000;
    expect(ipSetUtest(namespace, "t", element("1.1.1.2"), world.clock)).toEqual({ ok: true, found: true });
    expect(ipSetApply(world, namespace, { kind: "add", name: "t", elements: [element("1.1.1.1")], exist: false }).ok).toBe(true);
    expect(ipSetApply(world, namespace, { kind: "add", name: "t", elements: [element("1.1.1.1")], exist: false })).toEqual({ ok: false, error: "IPSET_ERR_EXIST" });
  });

  it("keeps what a range added before the set filled", () => {
    const { world, namespace } = setup();
    ipSetApply(world, namespace, { kind: "create", create: create("f", "hash:ip", { maxelem: 2 }), exist: false });
    const result = ipSetApply(world, namespace, { kind: "add", name: "f", elements: [element("1.1.1.1"), element("1.1.1.2"), element("1.1.1.3")], exist: false });
    expect(result).toEqual({ ok: false, error: "IPSET_ERR_HASH_FULL" });
    expect([...ipSetByName(namespace, "f")!.elements.values()].length).toBe(2);
  });

  it("swaps contents and names, so each name leads to the other's elements", () => {
    const { world, namespace } = setup();
    ipSetApply(world, namespace, { kind: "create", create: create("x", "hash:ip"), exist: false });
    ipSetApply(world, namespace, { kind: "create", create: create("y", "hash:ip"), exist: false });
    ipSetApply(world, namespace, { kind: "add", name: "x", elements: [element("1.1.1.1")], exist: false });
    expect(ipSetApply(world, namespace, { kind: "swap", name: "x", other: "y" }).ok).toBe(true);
    expect(ipSetUtest(namespace, "y", element("1.1.1.1"), world.clock)).toEqual({ ok: true, found: true });
    expect(ipSetUtest(namespace, "x", element("1.1.1.1"), world.clock)).toEqual({ ok: true, found: false });
    // The slots change too: listed by index, the names stay where they were (ipset3's save after a swap).
    expect(ipSets(namespace).map((set) => set.name)).toEqual(["x", "y"]);
    ipSetApply(world, namespace, { kind: "create", create: create("z", "hash:net"), exist: false });
    expect(ipSetApply(world, namespace, { kind: "swap", name: "x", other: "z" })).toEqual({ ok: false, error: "IPSET_ERR_TYPE_MISMATCH" });
  });
});
