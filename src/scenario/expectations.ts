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

/** True when a line ends in an unescaped backslash: the next line continues it. */
function continues(content: string): boolean {
  const trailing = /\\*$/.exec(content)![0].length;
  return trailing % 2 === 1;
}

/**
 * The expectations of one file, by line (1-based). A comment can only end a
 * backslash-continued command's last line, but bash locates the command at
 * its first ($LINENO, BASH_LINENO) and so does the embedded shell's parser:
 * the expectation belongs to that first line, in both backends.
 */
export function parseExpectations(text: string): Map<number, Expectation> {
  const expectations = new Map<number, Expectation>();
  let first = 1;
  text.split("\n").forEach((content, index, lines) => {
    if (index === 0 || !continues(lines[index - 1]!)) first = index + 1;
    const match = EXPECT_COMMENT.exec(content);
    if (!match) return;
    const word = match[1] ?? "";
    const line = first;
    if (!(EXPECTED_OUTCOMES as readonly string[]).includes(word)) throw new ExpectationSyntaxError(index + 1, word);
    expectations.set(line, { line, expected: word as ExpectedOutcome, comment: (match[2] ?? "").trim() });
  });
  return expectations;
}
