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
}

export type Action = "forward" | "back" | "next-command" | "previous-command" | "toggle-expand" | "toggle-topology" | "toggle-help";

export const INITIAL_STATE: ViewState = { command: 0, hop: 0, expanded: false, topology: true, help: false };

function hopCount(walk: Walk, command: number): number {
  return walk.steps[command]?.trace?.steps.length ?? 0;
}

export function reduce(walk: Walk, state: ViewState, action: Action): ViewState {
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
  }
}

/** Keys as Ink reports them, to actions (and "quit"). */
export function actionForKey(input: string, key: { leftArrow?: boolean; rightArrow?: boolean; upArrow?: boolean; downArrow?: boolean; return?: boolean; escape?: boolean }): Action | "quit" | undefined {
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
