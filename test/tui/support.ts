// Shared by the TUI tests: walks of the walkthrough stages, built once each.
import { join } from "node:path";
import { buildWalk, type Walk } from "../../src/tui/walk.js";

export const WALKTHROUGH = join(import.meta.dirname, "..", "..", "scenarios", "walkthrough");

const cache = new Map<string, Promise<Walk>>();

export function walkOf(stage: string): Promise<Walk> {
  const path = join(WALKTHROUGH, stage);
  let walk = cache.get(path);
  if (!walk) {
    walk = buildWalk(path);
    cache.set(path, walk);
  }
  return walk;
}

export function commandIndex(walk: Walk, text: string): number {
  const index = walk.steps.findIndex((step) => step.text === text);
  if (index < 0) throw new Error(`no command "${text}" in ${walk.file}: ${walk.steps.map((step) => step.text).join(" | ")}`);
  return index;
}
