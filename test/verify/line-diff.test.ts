import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { diffLines } from "../../src/verify/line-diff.js";

describe("diffLines", () => {
  it("names the lines only one side has", () => {
    expect(diffLines(["a", "b", "c"], ["a", "x", "c", "d"])).toEqual({ onlyLeft: ["b"], onlyRight: ["x", "d"] });
  });

  it("leaves a common subsequence of equal length on both sides, and nothing for equal texts", () => {
    const lines = fc.array(fc.constantFrom("a", "b", "c", "d"), { maxLength: 12 });
    fc.assert(
      fc.property(lines, lines, (left, right) => {
        const { onlyLeft, onlyRight } = diffLines(left, right);
        expect(left.length - onlyLeft.length).toBe(right.length - onlyRight.length);
        expect(diffLines(left, left)).toEqual({ onlyLeft: [], onlyRight: [] });
      }),
    );
  });
});
