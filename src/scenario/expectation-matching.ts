// `# expect:` comments against the commands that ran: one rule for both
// backends (the simulator and the kernel), so the same file is judged alike.
import type { Expectation } from "./expectations.js";
import type { CommandRecord, ExpectationResult, ExpectedOutcome, SourceLocation } from "./result.js";

export interface FileExpectations {
  /** As in SourceLocation.file. */
  readonly file: string;
  readonly expectations: ReadonlyMap<number, Expectation>;
}

function standsAt(record: CommandRecord, location: SourceLocation): boolean {
  const same = (other: SourceLocation) => other.file === location.file && other.line === location.line;
  return same(record.location) || record.callers.some(same);
}

/**
 * What happened on a line: `ok`/`error` when that is what was expected (error
 * if any command there failed); otherwise the last probe's outcome, falling
 * back to ok/error on a line without probes. `missing` when nothing ran there.
 */
export function actualOutcome(expected: ExpectedOutcome, records: readonly CommandRecord[]): ExpectedOutcome | "missing" {
  if (records.length === 0) return "missing";
  const commandOutcome = records.some((record) => record.exitCode !== 0) ? "error" : "ok";
  if (expected === "ok" || expected === "error") return commandOutcome;
  const lastProbe = records.filter((record) => record.probe !== undefined).at(-1);
  return lastProbe?.probe?.outcome ?? commandOutcome;
}

/** One result per expectation, file by file (in the order given), line by line. */
export function matchExpectations(files: readonly FileExpectations[], records: readonly CommandRecord[]): ExpectationResult[] {
  return files.flatMap(({ file, expectations }) =>
    [...expectations.values()]
      .sort((left, right) => left.line - right.line)
      .map((expectation) => {
        const location = { file, line: expectation.line };
        const actual = actualOutcome(
          expectation.expected,
          records.filter((record) => standsAt(record, location)),
        );
        return { location, expected: expectation.expected, actual, ok: actual === expectation.expected, comment: expectation.comment };
      }),
  );
}
