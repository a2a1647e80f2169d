// src/build/readme-netfilter.ts: the netfilter row's list is found and
// replaced, and nothing else of the README changes.
import { describe, expect, it } from "vitest";
import { readmeNetfilterList, withNetfilterList } from "../../src/build/readme-netfilter.js";

const README = [
  "| | |",
  "|---|---|",
  "| links | veth pairs; matches nothing here; targets none |",
  "| netfilter | iptables tables; chains, `RETURN`; matches `-s`, `tcp` ports; targets ACCEPT, LOG (its line); iptables' own lines agree |",
  "| nft | more |",
  "",
].join("\n");

describe("readme-netfilter", () => {
  it("reads the netfilter row's list, from `matches` to the clause after the targets", () => {
    expect(readmeNetfilterList(README)).toBe("matches `-s`, `tcp` ports; targets ACCEPT, LOG (its line)");
  });

  it("replaces only that list", () => {
    const rewritten = withNetfilterList(README, "matches `-p`; targets DROP");
    expect(rewritten).toBe(README.replace("matches `-s`, `tcp` ports; targets ACCEPT, LOG (its line)", "matches `-p`; targets DROP"));
    expect(readmeNetfilterList(rewritten)).toBe("matches `-p`; targets DROP");
  });

  it("takes the targets to the row's end when no clause follows them", () => {
    const last = "| netfilter | tables; matches `-s`; targets ACCEPT |\n";
    expect(readmeNetfilterList(last)).toBe("matches `-s`; targets ACCEPT");
  });

  it("refuses a README without the row", () => {
    expect(() => readmeNetfilterList("| nft | more |\n")).toThrow('README has no "| netfilter |" row');
  });
});
