// `# expect: OUTCOME [free text]` trailing comments: read from the raw text,
// since the shell drops comments before anything runs.
import { EXPECTED_OUTCOMES, type ExpectedOutcome } from "./result.js";

export interface Expectation {
  readonly line: number;
  readonly expected: ExpectedOutcome;
  readonly comment: string;
}

export class ExpectationSyntaxError extends Error {
  constructor(readonly line: number, readonly word: string) {
    super(`unknown outcome "${word}" after "# expect:" (one of ${EXPECTED_OUTCOMES.join(", ")})`);
  }
}

const EXPECT_COMMENT = /(?:^|\s)#\s*expect:\s*(\S*)\s*(.*)$/;

/** The expectations of one file, by line (1-based). */
export function parseExpectations(text: string): Map<number, Expectation> {
  const expectations = new Map<number, Expectation>();
  text.split("\n").forEach((content, index) => {
    const match = EXPECT_COMMENT.exec(content);
    if (!match) return;
    const word = match[1] ?? "";
    const line = index + 1;
    if (!(EXPECTED_OUTCOMES as readonly string[]).includes(word)) throw new ExpectationSyntaxError(line, word);
    expectations.set(line, { line, expected: word as ExpectedOutcome, comment: (match[2] ?? "").trim() });
  });
  return expectations;
}
