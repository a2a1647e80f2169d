// The prompt's line editing, as GNU readline's emacs keymap does it for bash
// (readline/emacs_keymap.c, kill.c): the raw bytes a terminal sends, taken
// one key at a time whatever chunks they come in, so that a paste (many
// lines and their newlines in one chunk) runs line by line as in bash.
//
// A pure state machine: feed() returns the new state and what the keys asked
// for (a line submitted, the line cancelled by Ctrl-C, end of input).

export interface LineEditorState {
  readonly text: string;
  /** Cursor position in text, 0..text.length (UTF-16 units). */
  readonly cursor: number;
  /** Lines entered, oldest first (blank lines are not kept, nor a repeat of the last, as bash's ignoredups). */
  readonly history: readonly string[];
  /** The history entry being shown (↑/↓), undefined when editing the new line. */
  readonly recall?: number;
  /** The new line as it was before ↑ replaced it. */
  readonly draft: string;
  /** What Ctrl-U/K/W last cut, for Ctrl-Y. */
  readonly killed: string;
  /** A CR just ended a line: a LF right after it belongs to the same newline (CRLF pastes). */
  readonly afterCarriageReturn: boolean;
  /** Bytes of an escape sequence split across chunks. */
  readonly pending: string;
  /** The last key cut text (the next cut adds to it). */
  readonly lastWasKill?: boolean;
}

export type LineEditorAction =
  | { readonly kind: "submit"; readonly line: string }
  /** Ctrl-C: bash prints ^C, drops the line (and type-ahead) and prompts again. */
  | { readonly kind: "cancel"; readonly line: string }
  /** Ctrl-D on an empty line. */
  | { readonly kind: "eof" };

export function emptyLineEditor(history: readonly string[] = []): LineEditorState {
  return { text: "", cursor: 0, history, draft: "", killed: "", afterCarriageReturn: false, pending: "" };
}

/** Word characters for Alt-B/F and Alt-D, as readline's (alphanumerics). */
const isWordCharacter = (character: string | undefined) => character !== undefined && /[\p{L}\p{N}_]/u.test(character);

function previousWordStart(text: string, cursor: number, word: (character: string | undefined) => boolean): number {
  let index = cursor;
  while (index > 0 && !word(text[index - 1])) index--;
  while (index > 0 && word(text[index - 1])) index--;
  return index;
}

function nextWordEnd(text: string, cursor: number): number {
  let index = cursor;
  while (index < text.length && !isWordCharacter(text[index])) index++;
  while (index < text.length && isWordCharacter(text[index])) index++;
  return index;
}

/** Ctrl-W is unix-word-rubout: back to the previous whitespace. */
const notSpace = (character: string | undefined) => character !== undefined && !/\s/.test(character);

type Key =
  | { readonly kind: "text"; readonly text: string }
  | { readonly kind: "newline"; readonly carriageReturn: boolean }
  | { readonly kind: "control"; readonly name: string };

/** An escape sequence's name (CSI or SS3, with an xterm modifier parameter), or undefined for one not bound. */
function escapeName(sequence: string): string | undefined {
  const csi = /^\u001B(?:\[|O)([\d;]*)([A-Za-z~])$/.exec(sequence);
  if (csi) {
    const [, parameters, final] = csi;
    const [first, modifier] = parameters!.split(";");
    const control = modifier === "5" || modifier === "3";
    switch (final) {
      case "A":
        return "up";
      case "B":
        return "down";
      case "C":
        return control ? "word-right" : "right";
      case "D":
        return control ? "word-left" : "left";
      case "H":
        return "home";
      case "F":
        return "end";
      case "~":
        return { "1": "home", "7": "home", "4": "end", "8": "end", "3": "delete", "200": "paste-start", "201": "paste-end" }[first ?? ""];
      default:
        return undefined;
    }
  }
  // Meta (Alt) as ESC prefix.
  return { "\u001Bb": "word-left", "\u001Bf": "word-right", "\u001Bd": "kill-word", "\u001B\u007F": "kill-word-back", "\u001B\b": "kill-word-back" }[sequence];
}

/** Splits input into keys; an escape sequence cut off at the end is returned as pending. */
function keys(input: string): { keys: Key[]; pending: string } {
  const out: Key[] = [];
  let text = "";
  const flush = () => {
    if (text !== "") out.push({ kind: "text", text });
    text = "";
  };
  for (let index = 0; index < input.length; index++) {
    const character = input[index]!;
    if (character === "\u001B") {
      flush();
      const rest = input.slice(index);
      const sequence = /^\u001B(?:\[[\d;]*[\x40-\x7e]|O[\x40-\x7e]|[^[O])/.exec(rest)?.[0];
      if (sequence === undefined) {
        // ESC alone at the end: a sequence cut in two, or the Escape key; either way nothing to insert yet.
        if (/^\u001B(?:\[[\d;]*|O)?$/.test(rest)) return { keys: out, pending: rest };
        index += 1;
        continue;
      }
      const name = escapeName(sequence);
      if (name !== undefined) out.push({ kind: "control", name });
      index += sequence.length - 1;
      continue;
    }
    if (character === "\r" || character === "\n") {
      flush();
      out.push({ kind: "newline", carriageReturn: character === "\r" });
      continue;
    }
    const code = character.charCodeAt(0);
    if (code < 0x20 || code === 0x7f) {
      flush();
      if (character === "\t") text += " ";
      else out.push({ kind: "control", name: code === 0x7f || code === 0x08 ? "backspace" : `ctrl-${String.fromCharCode(code + 0x60)}` });
      continue;
    }
    text += character;
  }
  flush();
  return { keys: out, pending: "" };
}

function remember(history: readonly string[], line: string): readonly string[] {
  if (line.trim() === "" || history.at(-1) === line) return history;
  return [...history, line];
}

export function feed(state: LineEditorState, input: string): { state: LineEditorState; actions: LineEditorAction[] } {
  const actions: LineEditorAction[] = [];
  const split = keys(state.pending + input);
  let { text, cursor, history, recall, draft, killed, afterCarriageReturn } = state;
  // Kills in a row add up to one piece for Ctrl-Y, as readline's kill ring does.
  let lastWasKill = state.lastWasKill ?? false;
  const kill = (piece: string, backward: boolean) => {
    killed = lastWasKill ? (backward ? piece + killed : killed + piece) : piece;
    killedNow = true;
  };
  let killedNow = false;
  const edit = (next: string, at: number) => {
    text = next;
    cursor = at;
  };
  for (const key of split.keys) {
    lastWasKill = killedNow;
    killedNow = false;
    const wasAfterCarriageReturn = afterCarriageReturn;
    afterCarriageReturn = false;
    if (key.kind === "text") {
      edit(text.slice(0, cursor) + key.text + text.slice(cursor), cursor + key.text.length);
      continue;
    }
    if (key.kind === "newline") {
      if (!key.carriageReturn && wasAfterCarriageReturn) continue;
      actions.push({ kind: "submit", line: text });
      history = remember(history, text);
      edit("", 0);
      recall = undefined;
      draft = "";
      afterCarriageReturn = key.carriageReturn;
      continue;
    }
    switch (key.name) {
      case "ctrl-c":
        actions.push({ kind: "cancel", line: text });
        edit("", 0);
        recall = undefined;
        draft = "";
        break;
      case "ctrl-d":
        if (text === "") actions.push({ kind: "eof" });
        else edit(text.slice(0, cursor) + text.slice(cursor + 1), cursor);
        break;
      case "delete":
        edit(text.slice(0, cursor) + text.slice(cursor + 1), cursor);
        break;
      case "backspace":
      case "ctrl-h":
        if (cursor > 0) edit(text.slice(0, cursor - 1) + text.slice(cursor), cursor - 1);
        break;
      case "ctrl-a":
      case "home":
        cursor = 0;
        break;
      case "ctrl-e":
      case "end":
        cursor = text.length;
        break;
      case "ctrl-b":
      case "left":
        cursor = Math.max(0, cursor - 1);
        break;
      case "ctrl-f":
      case "right":
        cursor = Math.min(text.length, cursor + 1);
        break;
      case "word-left":
        cursor = previousWordStart(text, cursor, isWordCharacter);
        break;
      case "word-right":
        cursor = nextWordEnd(text, cursor);
        break;
      case "ctrl-u":
        kill(text.slice(0, cursor), true);
        edit(text.slice(cursor), 0);
        break;
      case "ctrl-k":
        kill(text.slice(cursor), false);
        edit(text.slice(0, cursor), cursor);
        break;
      case "ctrl-w": {
        const start = previousWordStart(text, cursor, notSpace);
        kill(text.slice(start, cursor), true);
        edit(text.slice(0, start) + text.slice(cursor), start);
        break;
      }
      case "kill-word-back": {
        const start = previousWordStart(text, cursor, isWordCharacter);
        kill(text.slice(start, cursor), true);
        edit(text.slice(0, start) + text.slice(cursor), start);
        break;
      }
      case "kill-word": {
        const end = nextWordEnd(text, cursor);
        kill(text.slice(cursor, end), false);
        edit(text.slice(0, cursor) + text.slice(end), cursor);
        break;
      }
      case "ctrl-y":
        edit(text.slice(0, cursor) + killed + text.slice(cursor), cursor + killed.length);
        break;
      case "up":
      case "ctrl-p":
        if (history.length === 0 || recall === 0) break;
        if (recall === undefined) draft = text;
        recall = recall === undefined ? history.length - 1 : recall - 1;
        edit(history[recall]!, history[recall]!.length);
        break;
      case "down":
      case "ctrl-n":
        if (recall === undefined) break;
        recall = recall + 1 < history.length ? recall + 1 : undefined;
        edit(recall === undefined ? draft : history[recall]!, (recall === undefined ? draft : history[recall]!).length);
        break;
      default:
        // Keys readline binds to what a prompt here has no use for (Ctrl-L, Tab completion...) do nothing.
        break;
    }
  }
  return { state: { text, cursor, history, ...(recall !== undefined ? { recall } : {}), draft, killed, afterCarriageReturn, pending: split.pending, lastWasKill: killedNow }, actions };
}
