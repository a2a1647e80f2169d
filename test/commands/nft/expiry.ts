// The one time-dependent part of nft's listings: an element's time left
// (`expires 29s876ms` in text, `"expires": 29` in JSON) counts down on the
// kernel's clock while the recorder runs, and on the virtual clock here. The
// corpora keep the kernel's text; a test compares listings with every such
// value replaced by EXPIRES and checks the values apart: netsim's time left
// is at least the kernel's (the virtual clock moves no faster than the host
// did) and at most two seconds more (the recorder ran each case in well under
// that).
import { expect } from "vitest";

const TEXT = /expires ((?:\d+d)?(?:\d+h)?(?:\d+m(?!s))?(?:\d+s)?(?:\d+ms)?)/g;
const JSON_EXPIRES = /"expires": (\d+)/g;

function milliseconds(text: string): number {
  const parts = /^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m(?!s))?(?:(\d+)s)?(?:(\d+)ms)?$/.exec(text)!;
  const [days, hours, minutes, seconds, millis] = parts.slice(1).map((part) => Number(part ?? 0)) as [number, number, number, number, number];
  return (((days * 24 + hours) * 60 + minutes) * 60 + seconds) * 1000 + millis;
}

/** The text with each time left replaced, and the times left in milliseconds (JSON's whole seconds as such). */
export function withoutExpiry(text: string): { readonly text: string; readonly left: readonly number[] } {
  const left: number[] = [];
  const replaced = text
    .replace(TEXT, (_, time: string) => {
      left.push(milliseconds(time));
      return "expires EXPIRES";
    })
    .replace(JSON_EXPIRES, (_, seconds: string) => {
      left.push(Number(seconds) * 1000);
      return '"expires": EXPIRES';
    });
  return { text: replaced, left };
}

/** Checks netsim's times left against the kernel's, one by one. */
export function expectExpiry(netsim: readonly number[], kernel: readonly number[]): void {
  expect(netsim.length).toBe(kernel.length);
  netsim.forEach((left, index) => {
    expect(left).toBeGreaterThanOrEqual(kernel[index]!);
    expect(left - kernel[index]!).toBeLessThanOrEqual(2000);
  });
}
