// What every subcommand shares on its command line: -h/--help, and the
// "did you mean" of an unknown word (as git and cargo suggest the nearest).
import { nearest } from "../model/nearest.js";

export { nearest };

/** -h or --help anywhere before a "--". */
export function wantsHelp(argv: readonly string[]): boolean {
  for (const word of argv) {
    if (word === "--") return false;
    if (word === "-h" || word === "--help") return true;
  }
  return false;
}

/** `netsim run: unknown option "--jsno" (did you mean --json?)`. */
export function unknownOption(command: string, word: string, options: readonly string[]): string {
  const suggestion = nearest(word.includes("=") ? word.slice(0, word.indexOf("=")) : word, options);
  return `${command}: unknown option "${word}"${suggestion ? ` (did you mean ${suggestion}?)` : ""}`;
}
