// Where the user stands in a walk, and how each key moves it. Pure, so the
// keys are tested without a terminal.
import type { Walk } from "./walk.js";

export interface ViewState {
  /** The command shown (0-based): everything up to it has run. */
  readonly command: number;
  /** The hop shown, when the command sent a probe (0-based). */
  readonly hop: number;
  /** Enter: the current hop's full detail, in the topology's place. */
  readonly expanded: boolean;
  readonly topology: boolean;
  readonly help: boolean;
  /** The page of the current command's output shown, when it has more lines than the screen (PgDn / PgUp); back to 0 on another command. */
  readonly outputPage: number;
}

export type Action = "forward" | "back" | "next-command" | "previous-command" | "toggle-expand" | "toggle-topology" | "toggle-help" | "output-down" | "output-up";

export const INITIAL_STATE: ViewState = { command: 0, hop: 0, expanded: false, topology: true, help: false, outputPage: 0 };

function hopCount(walk: Walk, command: number): number {
  return walk.steps[command]?.trace?.steps.length ?? 0;
}

export function reduce(walk: Walk, state: ViewState, action: Action): ViewState {
  const next = move(walk, state, action);
  // Another command's output starts at its top.
  return next.command !== state.command && next.outputPage !== 0 ? { ...next, outputPage: 0 } : next;
}

function move(walk: Walk, state: ViewState, action: Action): ViewState {
  const last = walk.steps.length - 1;
  switch (action) {
    case "forward":
      if (state.hop < hopCount(walk, state.command) - 1) return { ...state, hop: state.hop + 1 };
      return state.command < last ? { ...state, command: state.command + 1, hop: 0 } : state;
    case "back":
      if (state.hop > 0) return { ...state, hop: state.hop - 1 };
      return state.command > 0 ? { ...state, command: state.command - 1, hop: Math.max(0, hopCount(walk, state.command - 1) - 1) } : state;
    case "next-command":
      return state.command < last ? { ...state, command: state.command + 1, hop: 0 } : state;
    case "previous-command":
      return state.command > 0 ? { ...state, command: state.command - 1, hop: 0 } : { ...state, hop: 0 };
    case "toggle-expand":
      return hopCount(walk, state.command) > 0 ? { ...state, expanded: !state.expanded } : state;
    case "toggle-topology":
      return { ...state, topology: !state.topology };
    case "toggle-help":
      return { ...state, help: !state.help };
    // The screen knows how many pages there are and clamps (screen.ts clampView).
    case "output-down":
      return { ...state, outputPage: state.outputPage + 1 };
    case "output-up":
      return { ...state, outputPage: Math.max(0, state.outputPage - 1) };
  }
}

/** Keys as Ink reports them, to actions (and "quit"). */
export function actionForKey(input: string, key: { leftArrow?: boolean; rightArrow?: boolean; upArrow?: boolean; downArrow?: boolean; return?: boolean; escape?: boolean; pageDown?: boolean; pageUp?: boolean }): Action | "quit" | undefined {
  // PgDn / PgUp page through a long output, as less does (space and b too).
  if (key.pageDown || input === " ") return "output-down";
  if (key.pageUp || input === "b") return "output-up";
  if (key.rightArrow) return "forward";
  if (key.leftArrow) return "back";
  if (key.downArrow) return "next-command";
  if (key.upArrow) return "previous-command";
  if (key.return) return "toggle-expand";
  if (input === "t") return "toggle-topology";
  if (input === "?") return "toggle-help";
  if (input === "q") return "quit";
  return undefined;
}
