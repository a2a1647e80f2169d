// nft's listing of iptables-nft's tables (src/commands/nft/nft-xt.ts) against
// nft 1.0.6 over iptables 1.8.9: each case of test/fixtures/nft/xt/cases.json
// ran in a fresh network namespace of the kernel sandbox (record.py beside
// it); every command's stdout, stderr and exit status must come out the same.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { nft } from "../../../src/commands/nft/nft.js";
import { NETWORK_COMMANDS } from "../../../src/commands/registry.js";
import { createWorld } from "../../../src/net/core/net-namespace.js";
import { runCommand } from "../run-command.js";
import { expectExpiry, withoutExpiry } from "./expiry.js";

interface Recorded {
  readonly nft: string;
  readonly iptables: string;
  readonly cases: readonly { readonly name: string; readonly results: readonly { readonly argv: readonly string[]; readonly stdin?: string; readonly stdout: string; readonly stderr: string; readonly exitCode: number }[] }[];
}

const recorded = JSON.parse(readFileSync(join(__dirname, "../../fixtures/nft/xt/recorded.json"), "utf8")) as Recorded;

describe(`iptables-nft's tables as ${recorded.nft} lists them (${recorded.iptables})`, () => {
  for (const testCase of recorded.cases) {
    it(testCase.name, () => {
      const world = createWorld();
      for (const result of testCase.results) {
        const [tool, ...argv] = result.argv;
        const printed = runCommand(NETWORK_COMMANDS.get(tool!)!, argv, world, "", result.stdin);
        // ping is there for the counters: its round-trip times are the kernel's.
        if (tool === "ping") {
          expect(printed.exitCode).toBe(result.exitCode);
          continue;
        }
        // Elements' time left counts down on the kernel's clock: compared apart (expiry.ts).
        const [ours, kernels] = [withoutExpiry(printed.stdout), withoutExpiry(result.stdout)];
        expect({ argv: result.argv, ...printed, stdout: ours.text }).toEqual({ argv: result.argv, stdout: kernels.text, stderr: result.stderr, exitCode: result.exitCode });
        expectExpiry(ours.left, kernels.left);
      }
    });
  }

  function worldWith(lines: readonly string[]) {
    const world = createWorld();
    for (const line of lines) {
      const [tool, ...argv] = line.split(" ");
      expect(runCommand(NETWORK_COMMANDS.get(tool!)!, argv, world).exitCode).toBe(0);
    }
    return world;
  }

  it("applies nft's changes to iptables-nft's tables it can hold as iptables rules (nft-xt-changes.test.ts), and refuses the rest by name", () => {
    const world = worldWith(["iptables -A INPUT -j ACCEPT", "nft add table ip mine"]);
    expect(runCommand(nft, ["add", "rule", "ip", "filter", "INPUT", "tcp", "dport", "1", "accept"], world).exitCode).toBe(0);
    expect(runCommand(NETWORK_COMMANDS.get("iptables")!, ["-S", "INPUT"], world).stdout).toBe("-P INPUT ACCEPT\n-A INPUT -j ACCEPT\n-A INPUT -p tcp -m tcp --dport 1 -j ACCEPT\n");
    expect(runCommand(nft, ["add", "table", "ip", "filter"], world).exitCode).toBe(0);
    expect(() => runCommand(nft, ["add", "rule", "ip", "filter", "INPUT", "counter", "counter", "accept"], world)).toThrow(/nft rules with two counters in iptables-nft's tables are not modelled/);
    // Batches with iptables-nft's tables (nft-xt-changes.test.ts has the recorded ones): what the model cannot order or check is refused, changing nothing.
    expect(() => runCommand(nft, ["-f", "-"], world, "", "add rule ip filter INPUT accept\nflush ruleset\n")).toThrow(/an nft batch that flushes the ruleset and changes iptables-nft's tables is not modelled/);
    expect(() => runCommand(nft, ["-f", "-"], world, "", "delete table ip filter\nadd rule ip filter INPUT accept\n")).toThrow(/after deleting it is not modelled/);
    expect(() => runCommand(nft, ["-f", "-"], world, "", "add rule ip filter NOSUCH accept\nadd chain ip mine c\n")).toThrow(/beside nft commands that may fail too is not modelled/);
    expect(() => runCommand(nft, ["-f", "-"], world, "", "add rule ip filter INPUT accept\nadd rule ip filter INPUT counter counter accept\n")).toThrow(/two counters/);
    // -c refuses what a change would, and changes nothing.
    expect(() => runCommand(nft, ["-c", "add", "rule", "ip", "filter", "INPUT", "counter", "counter", "accept"], world)).toThrow(/two counters/);
    expect(runCommand(nft, ["-c", "add", "rule", "ip", "filter", "INPUT", "udp", "dport", "2", "drop"], world).exitCode).toBe(0);
    expect(runCommand(NETWORK_COMMANDS.get("iptables")!, ["-S", "INPUT"], world).stdout).toBe("-P INPUT ACCEPT\n-A INPUT -j ACCEPT\n-A INPUT -p tcp -m tcp --dport 1 -j ACCEPT\n");
    // nft's own tables beside them stay nft's.
    expect(runCommand(nft, ["add", "chain", "ip", "mine", "c"], world).exitCode).toBe(0);
  });

  it("lists in JSON what it lists in text, and refuses in JSON what it refuses in text, by name", () => {
    const world = worldWith(["iptables -A INPUT -j ACCEPT", "nft add table ip mine"]);
    expect(runCommand(nft, ["-j", "list", "ruleset"], world).exitCode).toBe(0);
    const other = worldWith(["iptables -A INPUT -m addrtype --src-type LOCAL,BROADCAST ! --dst-type UNICAST"]);
    expect(() => runCommand(nft, ["-j", "list", "ruleset"], other)).toThrow(/addrtype with both sides, several types or ! is not modelled/);
    // nft's own table still lists with its handle (shared with iptables-nft's: filter took 1).
    expect(runCommand(nft, ["-a", "list", "table", "ip", "mine"], world).stdout).toBe("table ip mine { # handle 2\n}\n");
  });

  it("refuses the translations it has not recorded by name, never printing a guess", () => {
    const world = worldWith(["iptables -A INPUT -m addrtype --src-type LOCAL,BROADCAST ! --dst-type UNICAST"]);
    expect(() => runCommand(nft, ["list", "ruleset"], world)).toThrow(/nft's listing of iptables-nft's addrtype with both sides, several types or ! is not modelled/);
  });
});
