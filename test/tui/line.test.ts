import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { lineText, lineWidth, padLine, scrollWindow, truncateLine, wrapLine, wrapText, type Line } from "../../src/tui/line.js";

const segment = fc.record({ text: fc.string({ maxLength: 30 }), style: fc.constantFrom(undefined, "bad" as const, "good" as const) }).map((value) => (value.style ? { text: value.text, style: value.style } : { text: value.text }));
const line: fc.Arbitrary<Line> = fc.array(segment, { maxLength: 6 });

describe("screen lines", () => {
  it("truncateLine never exceeds the width and keeps a line that fits unchanged", () => {
    fc.assert(
      fc.property(line, fc.integer({ min: 1, max: 120 }), (value, width) => {
        const cut = truncateLine(value, width);
        expect(lineWidth(cut)).toBeLessThanOrEqual(width);
        if (lineWidth(value) <= width) expect(cut).toBe(value);
        else {
          expect(lineText(cut).endsWith("…")).toBe(true);
          expect(lineText(value).startsWith(lineText(cut).slice(0, -1))).toBe(true);
        }
      }),
    );
  });

  it("padLine gives exactly the width", () => {
    fc.assert(
      fc.property(line, fc.integer({ min: 1, max: 120 }), (value, width) => {
        expect(lineWidth(padLine(value, width))).toBe(width);
      }),
    );
  });

  it("wrapText keeps every word, in order, and each line within the width (words that fit)", () => {
    const words = fc.array(fc.stringMatching(/^[a-z]{1,8}$/), { minLength: 1, maxLength: 30 });
    fc.assert(
      fc.property(words, fc.integer({ min: 12, max: 80 }), fc.integer({ min: 0, max: 4 }), (list, width, indent) => {
        const wrapped = wrapText(list.join(" "), width, indent);
        expect(wrapped.join(" ").split(/\s+/).filter((word) => word !== "")).toEqual(list);
        for (const text of wrapped) expect(text.length).toBeLessThanOrEqual(width);
        for (const text of wrapped.slice(1)) expect(text.startsWith(" ".repeat(indent))).toBe(true);
      }),
    );
  });

  it("scrollWindow always shows the focus and as many items as fit", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 200 }), fc.integer({ min: 1, max: 30 }), fc.nat(), (count, size, seed) => {
        const focus = seed % count;
        const { start, end } = scrollWindow(count, focus, size);
        expect(start).toBeGreaterThanOrEqual(0);
        expect(end).toBeLessThanOrEqual(count);
        expect(end - start).toBe(Math.min(count, size));
        expect(focus >= start && focus < end).toBe(true);
      }),
    );
  });
});

describe("wrapping a styled line", () => {
  it("keeps every word with its style, in order, within the width", () => {
    const word = fc.stringMatching(/^[a-z→]{1,10}$/);
    const styledWords = fc.array(fc.tuple(word, fc.constantFrom(undefined, "changed" as const)), { minLength: 1, maxLength: 25 });
    fc.assert(
      fc.property(styledWords, fc.integer({ min: 20, max: 80 }), (words, width) => {
        const line: Line = words.map(([text, style], index) => (style ? { text: `${index === 0 ? "" : " "}${text}`, style } : { text: `${index === 0 ? "" : " "}${text}` }));
        const wrapped = wrapLine(line, width, 4);
        for (const part of wrapped) expect(lineWidth(part)).toBeLessThanOrEqual(width);
        expect(wrapped.map(lineText).join(" ").split(/\s+/).filter((text) => text !== "")).toEqual(words.map(([text]) => text));
        const changed = wrapped.flat().filter((segment) => segment.style === "changed").map((segment) => segment.text.trim()).filter((text) => text !== "");
        expect(changed).toEqual(words.filter(([, style]) => style).map(([text]) => text));
      }),
    );
  });
});
