// xt_set's match and the SET target on packets (the kernel's answers for
// the same cases are in test/fixtures/ipset/ipset5.out, replayed by
// test/commands/ipset-goldens.test.ts): the packet's element by the rule's
// flags, the dimension rule, --return-nomatch, counters.
import { describe, expect, it } from "vitest";
import { parseIpv4Address } from "../../../src/model/address.js";
import type { IpSetCreate } from "../../../src/model/ipset.js";
import type { Match } from "../../../src/model/netfilter.js";
import type { Ipv4Packet } from "../../../src/model/packet.js";
import { createWorld, rootNamespace } from "../../../src/net/core/net-namespace.js";
import { ipSetApply, ipSetByName } from "../../../src/net/netfilter/ipset/ip-set-core.js";
import type { MatchContext } from "../../../src/net/netfilter/xt-match-context.js";
import { mismatchText } from "../../../src/render/xt-mismatch.js";
import { setTarget, xtSet } from "../../../src/net/netfilter/xt-set.js";
import { recordOf, simulate } from "../../support/simulate.js";

const ip = (text: string) => parseIpv4Address(text)!;
const create = (name: string, type: IpSetCreate["type"], extra: Partial<IpSetCreate> = {}): IpSetCreate => ({ name, type, hashsize: 1024, maxelem: 65536, netmask: 32, counters: false, comment: false, skbinfo: false, ...extra });

function fixture() {
  const world = createWorld();
  const namespace = rootNamespace(world);
  const packet = { source: ip("10.0.0.2"), destination: ip("10.0.0.1"), ttl: 64, transport: { protocol: "tcp", sourcePort: 40000, destinationPort: 22, flags: { syn: true } } } as unknown as Ipv4Packet;
  const context: MatchContext = { namespace, hook: "INPUT", packet, bridged: false, now: 0 };
  return { world, namespace, context };
}

const setMatch = (name: string, flags: ("src" | "dst")[], extra: Partial<Extract<Match, { kind: "set" }>> = {}): Extract<Match, { kind: "set" }> => ({ kind: "set", set: { name, flags }, invert: false, returnNomatch: false, updateCounters: true, updateSubcounters: true, ...extra });

describe("xt_set", () => {
  it("takes each dimension from the source or destination as the flags say, and never matches with fewer flags than the set has dimensions", () => {
    const { world, namespace, context } = fixture();
    ipSetApply(world, namespace, { kind: "create", create: create("ipp", "hash:ip,port"), exist: false });
    ipSetApply(world, namespace, { kind: "add", name: "ipp", elements: [{ ip: ip("10.0.0.2"), cidr: 32, protocol: 6, port: 22, nomatch: false }], exist: false });
    expect(xtSet.match(setMatch("ipp", ["src", "dst"]), context, 1)).toBe(true);
    expect(xtSet.match(setMatch("ipp", ["src", "src"]), context, 1)).toBe(false);
    expect(xtSet.match(setMatch("ipp", ["src"]), context, 1)).toBe(false);
    expect(xtSet.match(setMatch("ipp", ["src", "dst"], { invert: true }), context, 1)).toBe(false);
    expect(mismatchText(xtSet.mismatch(setMatch("ipp", ["dst", "dst"]), context))).toBe("set: 10.0.0.1,tcp:22 is not in set ipp");
  });

  it("turns a nomatch hit into a match and a plain hit into a miss with --return-nomatch, and counts the hit unless told not to", () => {
    const { world, namespace, context } = fixture();
    ipSetApply(world, namespace, { kind: "create", create: create("nets", "hash:net", { counters: true }), exist: false });
    ipSetApply(world, namespace, { kind: "add", name: "nets", elements: [{ ip: ip("10.0.0.0"), cidr: 24, protocol: 0, port: 0, nomatch: false }, { ip: ip("10.0.0.2"), cidr: 32, protocol: 0, port: 0, nomatch: true }], exist: false });
    expect(xtSet.match(setMatch("nets", ["src"]), context, 1)).toBe(false);
    expect(xtSet.match(setMatch("nets", ["src"], { returnNomatch: true }), context, 1)).toBe(true);
    expect(xtSet.match(setMatch("nets", ["dst"]), context, 1)).toBe(true);
    expect(xtSet.match(setMatch("nets", ["dst"], { returnNomatch: true, updateCounters: false }), context, 1)).toBe(false);
    const counted = [...ipSetByName(namespace, "nets")!.elements.values()].map((element) => element.packets);
    expect(counted).toEqual([1, 2]);
  });

  it("adds the packet's element with the set's timeout, or the target's", () => {
    const { world, namespace, context } = fixture();
    ipSetApply(world, namespace, { kind: "create", create: create("seen", "hash:ip", { timeout: 30 }), exist: false });
    setTarget({ kind: "SET", add: { name: "seen", flags: ["src"] }, exist: false }, context);
    setTarget({ kind: "SET", add: { name: "seen", flags: ["dst"] }, exist: false, timeout: 5 }, context);
    const expiries = [...ipSetByName(namespace, "seen")!.elements.values()].map((element) => element.expires);
    expect(expiries).toEqual([30_000_000, 5_000_000]);
  });

  it("tests the element's counters after this packet's update (--packets-*, --bytes-*), a failed test a miss; a set without counters ignores them", async () => {
    // Kernel-sandbox, iptables 1.8.9: 4 pings to 127.0.0.1, each request and reply through OUTPUT on lo (84 bytes).
    const run = await simulate(
      [
        "ip link set lo up",
        "ipset create c hash:ip counters",
        "ipset add c 127.0.0.1",
        "iptables -A OUTPUT -o lo -m set --match-set c dst --packets-lt 3",
        "iptables -A OUTPUT -o lo -m set --match-set c dst ! --update-counters --packets-gt 4",
        "iptables -A OUTPUT -o lo -m set --match-set c dst ! --update-counters ! --packets-eq 6",
        "iptables -A OUTPUT -o lo -m set --match-set c dst ! --update-counters --bytes-gt 500",
        "iptables -A OUTPUT -o lo -m set --match-set c dst ! --update-counters --packets-eq 6 --bytes-lt 600",
        "ipset create plain hash:ip",
        "ipset add plain 127.0.0.1",
        "iptables -A OUTPUT -o lo -m set --match-set plain dst --packets-gt 100",
        "ping -c 4 -i 0.2 -W 1 127.0.0.1",
        "iptables -L OUTPUT -v -x -n",
        "ipset list c",
      ].join("\n") + "\n",
    );
    expect(run.problems).toEqual([]);
    const counts = recordOf(run, "iptables -L OUTPUT -v -x -n").stdout.split("\n").slice(2, -1).map((line) => line.trim().split(/ +/).slice(0, 2).join(" "));
    expect(counts).toEqual(["2 168", "4 336", "7 588", "3 252", "1 84", "8 672"]);
    expect(recordOf(run, "ipset list c").stdout).toContain("127.0.0.1 packets 8 bytes 672\n");
  });
});
