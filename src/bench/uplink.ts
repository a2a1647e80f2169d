// The walkthrough's uplink prelude (scenarios/walkthrough/lib/uplink.sh),
// inlined into the benchmarks' generated scenarios so they build the same
// world without repeating it.
import { readFileSync } from "node:fs";
import { join } from "node:path";

/** Both src/bench and dist/bench sit two levels below the package root. */
export function walkthroughUplink(): string {
  return readFileSync(join(import.meta.dirname, "..", "..", "scenarios", "walkthrough", "lib", "uplink.sh"), "utf8");
}
