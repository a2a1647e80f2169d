// coreutils date on the virtual clock: every case of test/fixtures/date/cases.json
// as date 9.1 printed it in the kernel sandbox (date.expected.json, from record.mjs).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { date } from "../../src/commands/date.js";

const FIXTURES = join(import.meta.dirname, "..", "fixtures", "date");
const recorded = JSON.parse(readFileSync(join(FIXTURES, "date.expected.json"), "utf8")) as {
  version: string;
  results: Array<{ args: string[]; stdout: string; stderr: string; exitCode: number }>;
};

describe("date", () => {
  it("was recorded from coreutils 9.1", () => {
    expect(recorded.version).toBe("date (GNU coreutils) 9.1");
    expect(recorded.results.length).toBeGreaterThan(50);
  });

  for (const { args, stdout, stderr, exitCode } of recorded.results) {
    it(`date ${args.join(" ")}`, () => {
      expect(date(args, { clock: 0 })).toEqual({ stdout, stderr, exitCode });
    });
  }

  it("shows the virtual clock: seconds and nanoseconds from its microseconds", () => {
    expect(date(["+%s.%N"], { clock: 2_500_000 })).toEqual({ stdout: "2.500000000\n", stderr: "", exitCode: 0 });
    expect(date([], { clock: 86_400_000_000 })).toEqual({ stdout: "Fri Jan  2 00:00:00 UTC 1970\n", stderr: "", exitCode: 0 });
    expect(date(["-u", "+%F-%T"], { clock: 3_723_000_000 })).toEqual({ stdout: "1970-01-01-01:02:03\n", stderr: "", exitCode: 0 });
  });

  it("takes TZ unset, empty or UTC, and refuses another zone", () => {
    expect(date(["+%Z"], { clock: 0, tz: "UTC" })).toEqual({ stdout: "UTC\n", stderr: "", exitCode: 0 });
    expect(date(["+%Z"], { clock: 0, tz: "" })).toEqual({ stdout: "UTC\n", stderr: "", exitCode: 0 });
    expect(date(["+%Z"], { clock: 0, tz: "Europe/Paris" })).toEqual({ unsupported: { word: "TZ=Europe/Paris", detail: expect.stringContaining("time zone other than UTC") } });
    expect(date(["-u", "+%Z"], { clock: 0, tz: "Europe/Paris" })).toEqual({ stdout: "UTC\n", stderr: "", exitCode: 0 });
  });

  it("refuses what it does not model by name", () => {
    const refused = (args: string[]) => (date(args, { clock: 0 }) as { unsupported?: { word: string } }).unsupported?.word;
    expect(refused(["-d", "yesterday"])).toBe("yesterday");
    expect(refused(["-d", "2024-01-01"])).toBe("2024-01-01");
    expect(refused(["-s", "@0"])).toBe("-s");
    expect(refused(["--set=@0"])).toBe("--set=@0");
    expect(refused(["01010000"])).toBe("01010000");
    expect(refused(["-r", "file"])).toBe("-r");
    expect(refused(["-f", "file"])).toBe("-f");
    expect(refused(["--debug"])).toBe("--debug");
    expect(refused(["+%_F"])).toBe("%_F");
    expect(refused(["+%5z"])).toBe("%5z");
    expect(refused(["+%-N"])).toBe("%-N");
  });
});
