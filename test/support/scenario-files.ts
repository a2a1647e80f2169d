// The scenario files shipped under scenarios/ (preludes under lib/ folders left out).
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";

export const SCENARIOS = join(import.meta.dirname, "..", "..", "scenarios");

export function scenarioFiles(folder = SCENARIOS): string[] {
  return readdirSync(folder)
    .sort()
    .flatMap((entry) => {
      const path = join(folder, entry);
      if (statSync(path).isDirectory()) return entry === "lib" ? [] : scenarioFiles(path);
      return entry.endsWith(".sh") ? [path] : [];
    });
}
