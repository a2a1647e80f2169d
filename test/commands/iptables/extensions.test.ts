// The extension registry (src/commands/iptables/extensions.ts) against the
// README: the netfilter row's "matches ...; targets ..." must be what the
// modules' descriptions say (`npm run readme:netfilter` rewrites it).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readmeNetfilterList } from "../../../src/build/readme-netfilter.js";
import { MATCHES, readmeExtensionList, TARGETS, UNMODELLED_MATCHES, UNMODELLED_TARGETS } from "../../../src/commands/iptables/extensions.js";

const README = readFileSync(join(import.meta.dirname, "../../../README.md"), "utf8");

describe("iptables extension registry", () => {
  it("is what the README's netfilter row lists (npm run readme:netfilter rewrites the row)", () => {
    expect(readmeNetfilterList(README)).toBe(readmeExtensionList());
  });

  it("has one module per name, none of them also refused as unmodelled", () => {
    const matchNames = MATCHES.map((module) => module.name);
    const targetNames = TARGETS.map((module) => module.name);
    expect(new Set(matchNames).size).toBe(matchNames.length);
    expect(new Set(targetNames).size).toBe(targetNames.length);
    expect(matchNames.filter((name) => UNMODELLED_MATCHES.has(name))).toEqual([]);
    expect(targetNames.filter((name) => UNMODELLED_TARGETS.has(name))).toEqual([]);
  });

  it("describes each module within the row's list and its table cell", () => {
    // "|" ends a cell and a newline the table; "; targets " starts the targets, and after them "; " ends the list.
    const badMatches = MATCHES.filter((module) => module.description === "" || /; targets |\||\n/.test(module.description));
    const badTargets = TARGETS.filter((module) => module.description === "" || /; |\||\n/.test(module.description));
    expect([...badMatches, ...badTargets].map((module) => module.name)).toEqual([]);
  });
});
