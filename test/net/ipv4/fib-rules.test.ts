// Policy routing (src/net/ipv4/fib-rules.ts): the rule walk, its fast path
// and the selectors; the texts ip rule and ip route get print are kernel
// goldens (test/fixtures/iproute2/cases/rules*.sh).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatIpv4Address } from "../../../src/model/address.js";
import { rootNamespace } from "../../../src/net/index.js";
import { fibRulesLookup, type Flowi4 } from "../../../src/net/ipv4/fib-rules.js";
import { recordOf, simulate } from "../../support/simulate.js";

const UPLINKS = `
ip link add v1 type veth peer name p1
ip link add v2 type veth peer name p2
ip link set v1 up
ip link set v2 up
ip link set p1 up
ip link set p2 up
ip addr add 10.1.0.1/24 dev v1
ip addr add 10.2.0.1/24 dev v2
ip route add default via 10.1.0.2
ip route add default via 10.2.0.2 table 100
`;

function flow(destination: number, fields: Partial<Flowi4> = {}): Flowi4 {
  return { destination, source: 0, inputInterface: 1, outputInterface: 0, mark: 0, protocol: 0, sourcePort: 0, destinationPort: 0, ...fields };
}

const address = (text: string) => text.split(".").reduce((value, octet) => value * 256 + Number(octet), 0);

describe("fib_lookup without rules of the namespace's own", () => {
  it("gives what the walk of the three default rules gives, for any routes and destination", async () => {
    const prefix = fc.tuple(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 8, max: 32 }));
    await fc.assert(
      fc.asyncProperty(fc.array(prefix, { maxLength: 6 }), fc.array(fc.integer({ min: 0, max: 0xffffffff }), { minLength: 1, maxLength: 8 }), async (prefixes, destinations) => {
        const routes = prefixes.map(([value, length]) => {
          const network = length === 32 ? value >>> 0 : (value & ~(2 ** (32 - length) - 1)) >>> 0;
          return `ip route replace ${formatIpv4Address(network)}/${length} dev ${length % 2 === 0 ? "v1" : "v2"}`;
        });
        const run = await simulate(`${UPLINKS}${routes.join("\n")}\n`);
        const namespace = rootNamespace(run.world);
        expect(namespace.fibHasCustomRules).toBe(false);
        const fast = destinations.map((destination) => fibRulesLookup(namespace, flow(destination)));
        // The same rules, walked: what a namespace whose rules were once changed back does.
        namespace.fibHasCustomRules = true;
        const walked = destinations.map((destination) => fibRulesLookup(namespace, flow(destination)));
        namespace.fibHasCustomRules = false;
        for (const [index, result] of fast.entries()) {
          const other = walked[index];
          if (result === undefined || "errno" in result) {
            expect(other).toEqual(result);
            continue;
          }
          expect(other !== undefined && "route" in other ? [other.route, other.table] : other).toEqual([result.route, result.table]);
        }
      }),
      { numRuns: 25 },
    );
  });

  it("answers local routes from main, where the local table is merged (ip route get names no table)", async () => {
    const run = await simulate(`${UPLINKS}ip route get 10.1.0.1\nip rule add from 10.9.0.0/16 table 100\nip route get 10.2.0.1\nip rule del from 10.9.0.0/16 table 100\nip route get 10.2.0.1`);
    expect(recordOf(run, "ip route get 10.1.0.1").stdout).toBe("local 10.1.0.1 dev lo src 10.1.0.1 uid 0 \n    cache <local> \n");
    // fib_unmerge() ran with the first rule, and is not undone when it goes.
    const after = run.commands.filter((entry) => entry.argv.join(" ") === "ip route get 10.2.0.1");
    expect(after).toHaveLength(2);
    for (const record of after) {
      expect(record.stdout).toBe("local 10.2.0.1 dev lo table local src 10.2.0.1 uid 0 \n    cache <local> \n");
    }
  });
});

describe("the rule walk", () => {
  it("selects by protocol and ports where a rule asks for them, and the dst cache does not hide it", async () => {
    const run = await simulate(`${UPLINKS}ip rule add ipproto tcp dport 80 table 100 pref 10`);
    const namespace = rootNamespace(run.world);
    const destination = address("8.8.8.8");
    const web = fibRulesLookup(namespace, flow(destination, { protocol: 6, destinationPort: 80 }));
    const other = fibRulesLookup(namespace, flow(destination, { protocol: 6, destinationPort: 81 }));
    const udp = fibRulesLookup(namespace, flow(destination, { protocol: 17, destinationPort: 80 }));
    expect(web !== undefined && "route" in web ? [web.table, web.rule] : web).toEqual(["100", 10]);
    expect(other !== undefined && "route" in other ? other.table : other).toBe("main");
    expect(udp !== undefined && "route" in udp ? udp.table : udp).toBe("main");
  });

  it("masks the fwmark, inverts with not, and passes over answers suppress_prefixlength refuses", async () => {
    const run = await simulate(`${UPLINKS}ip rule add fwmark 0x10/0xf0 table 100 pref 10\nip rule add not from 10.1.0.0/24 lookup 100 pref 20\nip rule add lookup main suppress_prefixlength 0 pref 5`);
    const namespace = rootNamespace(run.world);
    const destination = address("8.8.8.8");
    const tableOf = (fields: Partial<Flowi4>) => {
      const found = fibRulesLookup(namespace, flow(destination, fields));
      return found !== undefined && "route" in found ? `${found.table}@${found.rule}` : found;
    };
    // Main's default (prefix length 0) is suppressed at pref 5: the marked packet reaches pref 10.
    expect(tableOf({ mark: 0x1f, source: address("10.1.0.1") })).toBe("100@10");
    expect(tableOf({ mark: 0x20, source: address("10.1.0.1") })).toBe("main@32766");
    expect(tableOf({ mark: 0x20, source: address("10.2.0.1") })).toBe("100@20");
    // A more specific route of main is not suppressed.
    const connected = fibRulesLookup(namespace, flow(address("10.2.0.9"), { mark: 0x10 }));
    expect(connected !== undefined && "route" in connected ? `${connected.table}@${connected.rule}` : connected).toBe("main@5");
  });

  it("ends the walk with a rule's own verdict", async () => {
    const run = await simulate(`${UPLINKS}ip rule add to 8.8.4.4 blackhole\nip rule add to 8.8.4.5 prohibit\nip rule add to 8.8.4.6 unreachable`);
    const namespace = rootNamespace(run.world);
    const verdict = (text: string) => {
      const found = fibRulesLookup(namespace, flow(address(text)));
      return found !== undefined && "errno" in found ? `${found.errno}@${found.rule.priority}` : found;
    };
    expect([verdict("8.8.4.4"), verdict("8.8.4.5"), verdict("8.8.4.6")]).toEqual(["EINVAL@32765", "EACCES@32764", "ENETUNREACH@32763"]);
  });
});
