// What ipset and the set extensions refuse by name (the goldens in
// ipset-goldens.test.ts cover what they do), and the model's own choices
// that the kernel leaves to chance: a seeded initval, insertion order.
import { describe, expect, it } from "vitest";
import { UnsupportedError } from "../../src/commands/command.js";
import { iptables } from "../../src/commands/iptables/iptables.js";
import { ipset } from "../../src/commands/ipset.js";
import { createWorld } from "../../src/net/core/net-namespace.js";
import { runCommand } from "./run-command.js";

describe("ipset refuses what it does not model, by name", () => {
  const refusals: [string, string][] = [
    ["create v6 hash:ip family inet6", "inet6"],
    ["create m hash:ip,mac", "hash:ip,mac"],
    ["list -o xml", "xml"],
    ["-r list", "-r"],
    ["help", "help"],
  ];
  for (const [line, word] of refusals) {
    it(`ipset ${line}`, () => {
      expect(() => runCommand(ipset, line.split(" "))).toThrow(UnsupportedError);
      try {
        runCommand(ipset, line.split(" "));
      } catch (error) {
        expect((error as UnsupportedError).word).toBe(word);
      }
    });
  }

  it("refuses the set match's deprecated --set and SET --map-prio and --map-queue (the model has no skb priority or transmit queues)", () => {
    const world = createWorld();
    expect(runCommand(ipset, ["create", "s", "hash:ip", "skbinfo"], world).exitCode).toBe(0);
    expect(() => runCommand(iptables, "-A INPUT -m set --set s src -j DROP".split(" "), world)).toThrow(/--set \(deprecated for --match-set\) is not modelled/);
    expect(() => runCommand(iptables, "-t mangle -A OUTPUT -j SET --map-set s src --map-mark --map-prio".split(" "), world)).toThrow(/--map-prio is not modelled/);
    expect(() => runCommand(iptables, "-t mangle -A OUTPUT -j SET --map-set s src --map-queue".split(" "), world)).toThrow(/--map-queue is not modelled/);
    expect(runCommand(iptables, "-t mangle -A OUTPUT -j SET --map-set s src --map-mark".split(" "), world).exitCode).toBe(0);
  });
});

describe("ipset's random draws, made deterministic", () => {
  const header = (world: ReturnType<typeof createWorld>) => runCommand(ipset, ["list", "-t", "a"], world).stdout.split("\n")[3];

  it("gives the same initval to the same script, and different sets different ones", () => {
    const first = createWorld();
    const second = createWorld();
    for (const world of [first, second]) {
      runCommand(ipset, ["create", "a", "hash:ip"], world);
      runCommand(ipset, ["create", "b", "hash:ip"], world);
    }
    expect(header(first)).toBe(header(second));
    expect(header(first)).not.toBe(runCommand(ipset, ["list", "-t", "b"], first).stdout.split("\n")[3]!.replace("b", "a"));
  });

  it("lists a hash set's members in the order they were added", () => {
    const world = createWorld();
    runCommand(ipset, ["create", "a", "hash:ip"], world);
    for (const address of ["10.0.0.9", "10.0.0.1", "10.0.0.5"]) runCommand(ipset, ["add", "a", address], world);
    expect(runCommand(ipset, ["save", "a"], world).stdout.split("\n").slice(1, 4)).toEqual(["add a 10.0.0.9", "add a 10.0.0.1", "add a 10.0.0.5"]);
  });
});
