import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { actionForKey, INITIAL_STATE, reduce, type Action, type ViewState } from "../../src/tui/navigation.js";
import { walkOf } from "./support.js";

describe("moving through a walk", () => {
  it("→ then ← returns to the same place, everywhere but the very end", async () => {
    const walk = await walkOf("02-second-netns.sh");
    const positions: ViewState[] = [];
    let state = INITIAL_STATE;
    for (;;) {
      positions.push(state);
      const next = reduce(walk, state, "forward");
      if (next === state) break;
      expect(reduce(walk, next, "back")).toEqual(state);
      state = next;
    }
    // Every command once, and every hop of every probe once.
    const hops = walk.steps.reduce((total, step) => total + Math.max(1, step.trace?.steps.length ?? 0), 0);
    expect(positions).toHaveLength(hops);
    expect(state.command).toBe(walk.steps.length - 1);
  });

  it("stays inside the walk whatever keys are pressed", async () => {
    const walk = await walkOf("03-bridge.sh");
    const actions: Action[] = ["forward", "back", "next-command", "previous-command", "toggle-expand", "toggle-topology", "toggle-help"];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...actions), { maxLength: 200 }), (keys) => {
        let state = INITIAL_STATE;
        for (const key of keys) {
          state = reduce(walk, state, key);
          expect(state.command).toBeGreaterThanOrEqual(0);
          expect(state.command).toBeLessThan(walk.steps.length);
          const hops = walk.steps[state.command]!.trace?.steps.length ?? 0;
          expect(state.hop).toBeGreaterThanOrEqual(0);
          expect(state.hop).toBeLessThan(Math.max(1, hops));
        }
      }),
    );
  });

  it("↓ and ↑ move by whole commands, to a probe's first hop", async () => {
    const walk = await walkOf("02-second-netns.sh");
    const probe = walk.steps.findIndex((step) => step.trace);
    const at: ViewState = { ...INITIAL_STATE, command: probe, hop: 5 };
    expect(reduce(walk, at, "next-command")).toEqual({ ...at, command: probe + 1, hop: 0 });
    expect(reduce(walk, at, "previous-command")).toEqual({ ...at, command: probe - 1, hop: 0 });
  });

  it("maps the keys the issue names", () => {
    expect(actionForKey("", { rightArrow: true })).toBe("forward");
    expect(actionForKey("", { leftArrow: true })).toBe("back");
    expect(actionForKey("", { downArrow: true })).toBe("next-command");
    expect(actionForKey("", { upArrow: true })).toBe("previous-command");
    expect(actionForKey("\r", { return: true })).toBe("toggle-expand");
    expect(actionForKey("t", {})).toBe("toggle-topology");
    expect(actionForKey("?", {})).toBe("toggle-help");
    expect(actionForKey("q", {})).toBe("quit");
    expect(actionForKey("x", {})).toBeUndefined();
  });
});
