// The prompt's readline editing (src/tui/line-editor.ts), fed the bytes a
// terminal sends, in whatever chunks they come.
import { describe, expect, it } from "vitest";
import { emptyLineEditor, feed, type LineEditorAction, type LineEditorState } from "../../src/tui/line-editor.js";

/** Feeds each chunk in turn; the final state and every action. */
function type(chunks: readonly string[], start: LineEditorState = emptyLineEditor()) {
  let state = start;
  const actions: LineEditorAction[] = [];
  for (const chunk of chunks) {
    const result = feed(state, chunk);
    state = result.state;
    actions.push(...result.actions);
  }
  return { state, actions, submitted: actions.flatMap((action) => (action.kind === "submit" ? [action.line] : [])) };
}

const LEFT = "\u001B[D";
const RIGHT = "\u001B[C";
const UP = "\u001B[A";
const DOWN = "\u001B[B";
const HOME = "\u001B[H";
const END = "\u001B[F";

describe("line editor", () => {
  it("a line and its newline in one chunk is submitted (a paste, tmux send-keys ... Enter)", () => {
    expect(type(["ip netns add netns0\r"]).submitted).toEqual(["ip netns add netns0"]);
    expect(type(["ip netns add netns0\n"]).submitted).toEqual(["ip netns add netns0"]);
  });

  it("a pasted block runs line by line, CRLF counted once, blank lines kept, the unfinished tail left on the prompt", () => {
    const { submitted, state } = type(["ip netns add a\r\nip netns add b\n\nip link add v0 type veth peer name v1\rip link"]);
    expect(submitted).toEqual(["ip netns add a", "ip netns add b", "", "ip link add v0 type veth peer name v1"]);
    expect(state.text).toBe("ip link");
  });

  it("takes keys however the chunks cut them, escape sequences included", () => {
    const whole = `ip lnk${LEFT}${LEFT}i${END} add${HOME}sudo \r`;
    const once = type([whole]);
    const byByte = type([...whole]);
    expect(once.submitted).toEqual(["sudo ip link add"]);
    expect(byByte.submitted).toEqual(once.submitted);
  });

  it("Ctrl-A/E, ←/→, Home/End move; Backspace, Delete and Ctrl-D (on a non-empty line) delete", () => {
    expect(type(["bc\u0001a\u0005d\r"]).submitted).toEqual(["abcd"]);
    expect(type([`abc${LEFT}\u007F\r`]).submitted).toEqual(["ac"]);
    expect(type([`abc${HOME}\u001B[3~\r`]).submitted).toEqual(["bc"]);
    expect(type([`abc${HOME}${RIGHT}\u0004\r`]).submitted).toEqual(["ac"]);
    expect(type([`ab\u0002\u0002\u0002x\u0006\u0006\u0006y\r`]).submitted).toEqual(["xaby"]);
  });

  it("Ctrl-U, Ctrl-K and Ctrl-W cut as readline does, and Ctrl-Y puts the cut back", () => {
    expect(type([`ip link show${LEFT}${LEFT}${LEFT}${LEFT}\u0015\r`]).submitted).toEqual(["show"]);
    expect(type([`ip link show${HOME}${RIGHT}${RIGHT}\u000B\r`]).submitted).toEqual(["ip"]);
    expect(type(["ip link set dev0/x  \u0017\r"]).submitted).toEqual(["ip link set "]);
    // Cuts in a row add up, as readline's kill ring does.
    expect(type(["ip route\u0017\u0017\u0019 x\r"]).submitted).toEqual(["ip route x"]);
    expect(type(["ip route\u0017x\u0017\u0019\r"]).submitted).toEqual(["ip x"]);
  });

  it("↑/↓ walk the history and come back to the line being typed", () => {
    const { state } = type(["one\r", "two\r", "two\r", "  \r", "thr"]);
    expect(state.history).toEqual(["one", "two"]);
    expect(type([UP], state).state.text).toBe("two");
    expect(type([UP, UP], state).state.text).toBe("one");
    expect(type([UP, UP, UP], state).state.text).toBe("one");
    expect(type([UP, UP, DOWN], state).state.text).toBe("two");
    expect(type([UP, DOWN], state).state.text).toBe("thr");
    expect(type([UP, "!\r"], state).submitted).toEqual(["two!"]);
  });

  it("Ctrl-C cancels the line, Ctrl-D ends only on an empty line", () => {
    expect(type(["ip netns ad\u0003"]).actions).toEqual([{ kind: "cancel", line: "ip netns ad" }]);
    expect(type(["ip netns ad\u0003"]).state.text).toBe("");
    expect(type(["\u0004"]).actions).toEqual([{ kind: "eof" }]);
    expect(type(["x\u0004"]).actions).toEqual([]);
  });

  it("inserts nothing for keys it does not bind (F-keys, bracketed-paste markers)", () => {
    expect(type(["\u001B[200~ip a\u001B[201~\u001BOP\u001B[15~\r"]).submitted).toEqual(["ip a"]);
  });
});
