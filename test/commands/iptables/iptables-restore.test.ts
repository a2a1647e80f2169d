// splitRestoreLine takes a word's plain runs as slices; it must split as the
// character-at-a-time reading of add_param_to_argv (netsim's earlier one,
// kept here as the reference) does, on every mix of quotes, escapes and blanks.
import { describe, expect, it } from "vitest";
import { splitRestoreLine, WordCache } from "../../../src/commands/iptables/iptables-restore.js";

function referenceSplit(line: string): string[] {
  const words: string[] = [];
  let current = "";
  let quoted = false;
  let has = false;
  for (let index = 0; index < line.length; index++) {
    const character = line[index]!;
    if (character === "\\" && (line[index + 1] === '"' || line[index + 1] === "\\" || line[index + 1] === "'")) {
      current += line[++index];
      has = true;
      continue;
    }
    if (character === '"') {
      quoted = !quoted;
      has = true;
      continue;
    }
    if (!quoted && (character === " " || character === "\t")) {
      if (has) words.push(current);
      current = "";
      has = false;
      continue;
    }
    current += character;
    has = true;
  }
  if (has) words.push(current);
  return words;
}

describe("splitRestoreLine", () => {
  it("splits kube-proxy's lines as the reference does", () => {
    const line = '-A KUBE-SVC-X ! -s 10.244.0.0/16 -m comment --comment "default/svc-0:p80 cluster IP" -j KUBE-MARK-MASQ';
    expect(splitRestoreLine(line)).toEqual(referenceSplit(line));
    expect(splitRestoreLine(line)).toContain("default/svc-0:p80 cluster IP");
    expect(splitRestoreLine('a "" \\"b\\" c\\\\d\t"e f"g')).toEqual(referenceSplit('a "" \\"b\\" c\\\\d\t"e f"g'));
  });

  it("puts the words after those given", () => {
    expect(splitRestoreLine("-A INPUT -j ACCEPT", ["-t", "filter"])).toEqual(["-t", "filter", "-A", "INPUT", "-j", "ACCEPT"]);
  });

  it("agrees with the reference on seeded random lines of quotes, escapes and blanks", () => {
    let seed = 0x1e57;
    const random = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
    const alphabet = ['"', "\\", "'", " ", "\t", "a", "b", "-", "!"];
    let quotedWords = 0;
    const cache = new WordCache(8);
    for (let round = 0; round < 20000; round++) {
      let line = "";
      const length = Math.floor(random() * 16);
      for (let index = 0; index < length; index++) line += alphabet[Math.floor(random() * alphabet.length)];
      const expected = referenceSplit(line);
      if (expected.some((word) => word.includes(" "))) quotedWords++;
      expect(splitRestoreLine(line), JSON.stringify(line)).toEqual(expected);
      // With a word cache (small: slots are taken over by other words all the time), the same words.
      expect(splitRestoreLine(line, [], cache), JSON.stringify(line)).toEqual(expected);
    }
    // The sample holds quoted blanks, not only plain words.
    expect(quotedWords).toBeGreaterThan(100);
  });
});
