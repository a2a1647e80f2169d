// Parsers and printers agree: what `iptables -S` and `iptables-save` print
// reads back (iptables, iptables-restore) to the same ruleset; every rule the
// printer emits is accepted by the parser; `ip -j` output parses back to the
// state the model holds.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { iptablesRestore } from "../../src/commands/iptables/iptables-restore.js";
import { formatIpv4Address, formatPrefix } from "../../src/model/address.js";
import type { Rule, TableName } from "../../src/model/netfilter.js";
import { tableName } from "../../src/model/route.js";
import type { World } from "../../src/model/world.js";
import { createWorld, rootNamespace } from "../../src/net/core/net-namespace.js";
import { devicesInOrder } from "../../src/model/netns.js";
import { fibTableDump } from "../../src/net/ipv4/fib-table.js";
import { fuzzScenarioArbitrary, renderScenario } from "../../src/fuzz/scenario-generator.js";
import { runLine, scenario, worldFromScenario } from "../../src/testing/index.js";
import { parameters } from "./parameters.js";

const address = fc.tuple(fc.integer({ min: 1, max: 223 }), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 1, max: 254 })).map((parts) => parts.join("."));
const prefix = fc.tuple(address, fc.integer({ min: 1, max: 32 })).map(([base, length]) => `${base}/${length}`);
const portNumber = fc.integer({ min: 1, max: 65535 });
const portRange = fc.tuple(portNumber, portNumber).map(([a, b]) => (a === b ? String(a) : `${Math.min(a, b)}:${Math.max(a, b)}`));
const negation = fc.boolean().map((negated) => (negated ? ["!"] : []));

/** A rule as words after `-A CHAIN`, shaped by the chain (which of -i/-o it may use) and the table (which targets exist). */
function ruleWords(table: TableName, chain: string): fc.Arbitrary<string[]> {
  const mayIn = chain !== "OUTPUT" && chain !== "POSTROUTING";
  const mayOut = chain !== "PREROUTING" && chain !== "INPUT";
  const protocol = fc.constantFrom("tcp", "udp", "icmp", "");
  return fc
    .record({
      source: fc.option(fc.tuple(negation, prefix)),
      destination: fc.option(fc.tuple(negation, prefix)),
      in: fc.option(fc.tuple(negation, fc.constantFrom("eth0", "br0", "veth+"))),
      out: fc.option(fc.tuple(negation, fc.constantFrom("eth0", "docker0", "br-+"))),
      protocol,
      protocolNegated: fc.boolean(),
      sport: fc.option(fc.tuple(negation, portRange)),
      dport: fc.option(fc.tuple(negation, portRange)),
      multiport: fc.option(fc.array(portNumber, { minLength: 1, maxLength: 4 })),
      icmpType: fc.option(fc.constantFrom("echo-request", "echo-reply", "port-unreachable", "any", "3")),
      states: fc.option(fc.tuple(negation, fc.subarray(["NEW", "ESTABLISHED", "RELATED", "INVALID", "DNAT"], { minLength: 1 }))),
      comment: fc.option(fc.constantFrom("web", "two words", "docker-published")),
      mark: fc.option(fc.tuple(negation, fc.integer({ min: 0, max: 0xffff }))),
      addrtype: fc.option(fc.constantFrom("LOCAL", "UNICAST", "BROADCAST")),
      target: fc.nat(),
      to: address,
      toPort: fc.option(portRange),
    })
    .map((rule) => {
      const words: string[] = [];
      if (rule.source) words.push(...rule.source[0], "-s", rule.source[1]);
      if (rule.destination) words.push(...rule.destination[0], "-d", rule.destination[1]);
      if (rule.in && mayIn) words.push(...rule.in[0], "-i", rule.in[1]);
      if (rule.out && mayOut) words.push(...rule.out[0], "-o", rule.out[1]);
      const ports = rule.protocol === "tcp" || rule.protocol === "udp";
      if (rule.protocol !== "") {
        const negated = rule.protocolNegated && !ports && rule.protocol !== "icmp";
        words.push(...(negated ? ["!"] : []), "-p", rule.protocol);
      }
      if (ports && rule.sport) words.push(...rule.sport[0], "--sport", rule.sport[1]);
      if (ports && rule.dport) words.push(...rule.dport[0], "--dport", rule.dport[1]);
      if (ports && rule.multiport) words.push("-m", "multiport", "--dports", rule.multiport.join(","));
      if (rule.protocol === "icmp" && rule.icmpType) words.push("--icmp-type", rule.icmpType);
      if (rule.states) words.push("-m", "conntrack", ...rule.states[0], "--ctstate", rule.states[1].join(","));
      if (rule.comment) words.push("-m", "comment", "--comment", rule.comment);
      if (rule.mark) words.push("-m", "mark", ...rule.mark[0], "--mark", String(rule.mark[1]));
      if (rule.addrtype) words.push("-m", "addrtype", "--dst-type", rule.addrtype);
      const portSuffix = ports && rule.toPort ? `:${rule.toPort.replace(":", "-")}` : "";
      const targets: string[][] =
        table === "filter"
          ? [["-j", "ACCEPT"], ["-j", "DROP"], ["-j", "RETURN"], ["-j", "REJECT", "--reject-with", "icmp-host-prohibited"], ["-j", "USER"], ["-g", "USER"], []]
          : chain === "POSTROUTING"
            ? [["-j", "MASQUERADE", ...(portSuffix ? ["--to-ports", portSuffix.slice(1)] : [])], ["-j", "SNAT", "--to-source", `${rule.to}${portSuffix}`], ["-j", "RETURN"], ["-j", "USER"]]
            : [["-j", "DNAT", "--to-destination", `${rule.to}${portSuffix}`], ["-j", "REDIRECT", ...(portSuffix ? ["--to-ports", portSuffix.slice(1)] : [])], ["-j", "ACCEPT"], ["-j", "USER"]];
      words.push(...targets[rule.target % targets.length]!);
      return words;
    });
}

const ruleset = fc
  .array(
    fc.oneof(
      fc.constantFrom("INPUT", "FORWARD", "OUTPUT", "USER").chain((chain) => ruleWords("filter", chain).map((words) => ({ table: "filter" as const, chain, words }))),
      fc.constantFrom("PREROUTING", "OUTPUT", "POSTROUTING", "USER").chain((chain) => ruleWords("nat", chain === "USER" ? "PREROUTING" : chain).map((words) => ({ table: "nat" as const, chain, words }))),
    ),
    { maxLength: 8 },
  )
  .map((rules) => {
    const quote = (word: string) => (/^[A-Za-z0-9_.:,/+!-]+$/.test(word) ? word : `'${word}'`);
    return scenario([
      "iptables -N USER",
      "iptables -t nat -N USER",
      "iptables -P FORWARD DROP",
      ...rules.map((rule) => `iptables -t ${rule.table} -A ${rule.chain} ${rule.words.map(quote).join(" ")}`),
    ]);
  });

function ruleShapes(world: World, table: TableName): unknown {
  const state = rootNamespace(world).netfilter?.tables.get(table);
  if (!state) return undefined;
  // Conntrack states are a bit set in the kernel (xt_conntrack's state_mask): compare them as sets.
  // Counters, origin and the kernel's handle are bookkeeping, not the rule: a ruleset read back is made in another order.
  const normal = ({ counters: _counters, origin: _origin, handle: _handle, ...rule }: Rule) => ({ ...rule, matches: rule.matches.map((match) => (match.kind === "conntrack" || match.kind === "state" ? { ...match, ...(match.states ? { states: [...match.states].sort() } : {}) } : match)) });
  return [...state.chains.values()].map((chain) => ({ name: chain.name, policy: chain.policy, rules: chain.rules.map(normal) }));
}

function run(world: World, line: string): string {
  const result = runLine(world, line);
  expect({ line, stderr: result.stderr, exitCode: result.exitCode }).toEqual({ line, stderr: "", exitCode: 0 });
  return result.stdout;
}

describe("parsers and printers (properties)", () => {
  it("every rule the printer emits is accepted, and `iptables -S` re-parses to the same ruleset", () => {
    fc.assert(
      fc.property(ruleset, (rules) => {
        const world = createWorld();
        for (const line of rules.lines) run(world, line);
        for (const table of ["filter", "nat"] as const) {
          const printed = run(world, `iptables -t ${table} -S`);
          const again = createWorld();
          for (const line of printed.split("\n").filter((text) => text !== "")) run(again, `iptables -t ${table} ${line}`);
          expect(run(again, `iptables -t ${table} -S`)).toBe(printed);
          expect(ruleShapes(again, table)).toEqual(ruleShapes(world, table));
        }
      }),
      parameters(60),
    );
  });

  it("`iptables-save` output restores to the same ruleset", () => {
    fc.assert(
      fc.property(ruleset, (rules) => {
        const world = createWorld();
        for (const line of rules.lines) run(world, line);
        const saved = run(world, "iptables-save");
        const again = createWorld();
        const outcome = iptablesRestore([], { world: again, namespace: rootNamespace(again), tracing: false, stdin: saved, commandText: "iptables-restore" });
        expect(outcome.kind === "done" && outcome.exitCode).toBe(0);
        expect(run(again, "iptables-save")).toBe(saved);
        for (const table of ["filter", "nat"] as const) expect(ruleShapes(again, table)).toEqual(ruleShapes(world, table));
      }),
      parameters(60),
    );
  });

  it("`ip -j` output parses back to the state the model holds", async () => {
    await fc.assert(
      fc.asyncProperty(fuzzScenarioArbitrary({ iptables: true, nc: false }).map((generated) => scenario(renderScenario(generated).split("\n"))), async (generated) => {
        const { world } = await worldFromScenario(generated);
        for (const namespace of world.namespaces.values()) {
          const inside = namespace.name === "" ? "" : `-n ${namespace.name} `;
          const addresses = JSON.parse(run(world, `ip ${inside}-j addr`)) as { ifname: string; ifindex: number; addr_info: { family: string; local: string; prefixlen: number; scope: string; secondary?: boolean }[] }[];
          expect(addresses.map((link) => [link.ifindex, link.ifname, link.addr_info.filter((info) => info.family === "inet").map((info) => `${info.local}/${info.prefixlen} ${info.scope}${info.secondary ? " secondary" : ""}`)])).toEqual(
            devicesInOrder(namespace).map((device) => [device.index, device.name, device.addresses.map((inet) => `${formatIpv4Address(inet.address)}/${inet.prefixLength} ${inet.scope}${inet.secondary ? " secondary" : ""}`)]),
          );
          const routes = JSON.parse(run(world, `ip ${inside}-4 -j route show table all`)) as { type?: string; dst: string; dev?: string; gateway?: string; table?: string; metric?: number }[];
          const printed = routes.map((route) => `${route.table ?? "main"} ${route.type ?? "unicast"} ${route.dst} ${route.dev ?? ""} ${route.gateway ?? ""} ${route.metric ?? 0}`).sort();
          const held = [...namespace.tables.values()]
            .flatMap((table) => fibTableDump(table))
            .map((route) => `${tableName(route.table)} ${route.type} ${formatPrefix(route.prefix)} ${route.nexthop ? devicesInOrder(namespace).find((device) => device.index === route.nexthop!.deviceIndex)?.name ?? "" : ""} ${route.nexthop?.gateway !== undefined ? formatIpv4Address(route.nexthop.gateway) : ""} ${route.metric}`)
            .sort();
          expect(printed).toEqual(held);
        }
      }),
      parameters(15),
    );
  });
});
