// `netsim shell`: finished lines scroll up in <Static> like a terminal's
// scrollback; below them the topology as it now stands, and the prompt,
// edited as readline edits it (../line-editor.ts).
import { Box, Static, Text, useApp, useStdin } from "ink";
import { useEffect, useRef, useState } from "react";
import { emptyLineEditor, feed, type LineEditorState } from "../line-editor.js";
import { topologyLines, topologyOf } from "../topology.js";
import type { ShellEntry, ShellSession } from "../shell-session.js";
import { StyledLine } from "./StyledLine.js";

export interface ShellAppProps {
  readonly session: ShellSession;
  readonly width: number;
  readonly color: boolean;
}

function EntryView({ entry }: { readonly entry: ShellEntry }) {
  return (
    <Box flexDirection="column">
      <Text>
        {entry.prompt}
        {entry.line}
      </Text>
      {entry.output !== "" ? <Text>{entry.output.replace(/\n$/, "")}</Text> : null}
    </Box>
  );
}

/** The line being edited, the cursor shown as a block on the character under it. */
function EditedLine({ prompt, editor, busy }: { readonly prompt: string; readonly editor: LineEditorState; readonly busy: boolean }) {
  const before = editor.text.slice(0, editor.cursor);
  const under = editor.text.slice(editor.cursor, editor.cursor + 1);
  const after = editor.text.slice(editor.cursor + 1);
  if (busy) return <Text>{`${prompt}${editor.text}`}</Text>;
  return (
    <Text>
      {prompt}
      {before}
      {under === "" ? "█" : <Text inverse>{under}</Text>}
      {after}
    </Text>
  );
}

export function ShellApp({ session, width, color }: ShellAppProps) {
  const [entries, setEntries] = useState<Array<ShellEntry & { readonly id: number }>>([]);
  const [busy, setBusy] = useState(false);
  const [, setVersion] = useState(0);
  const { exit } = useApp();
  const { setRawMode, internal_eventEmitter: keyboard } = useStdin();

  // Lines pasted or typed while one runs wait their turn, as a terminal buffers them.
  const queue = useRef<string[]>([]);
  const running = useRef(false);
  const addEntry = (entry: ShellEntry) => setEntries((previous) => [...previous, { ...entry, id: previous.length }]);
  const drain = () => {
    if (running.current) return;
    const line = queue.current.shift();
    if (line === undefined) {
      setBusy(false);
      return;
    }
    running.current = true;
    setBusy(true);
    void session.run(line).then(({ entry, quit }) => {
      running.current = false;
      addEntry(entry);
      setVersion((version) => version + 1);
      if (quit) {
        queue.current = [];
        exit();
        return;
      }
      drain();
    });
  };

  // Keys can arrive faster than React renders: the editor lives in a ref, the state only shows it.
  const editorRef = useRef<LineEditorState>(emptyLineEditor());
  const [editor, setEditor] = useState<LineEditorState>(editorRef.current);
  useEffect(() => {
    setRawMode(true);
    return () => setRawMode(false);
  }, [setRawMode]);
  useEffect(() => {
    // Ink's own keypress parsing (useInput) turns a pasted chunk's newlines
    // into text and can tell Backspace from Delete only approximately: the
    // editor reads the raw input Ink splits into keys and escape sequences.
    const onInput = (data: string) => {
      const { state, actions } = feed(editorRef.current, data);
      editorRef.current = state;
      setEditor(state);
      for (const action of actions) {
        if (action.kind === "submit") {
          queue.current.push(action.line);
          drain();
        } else if (action.kind === "cancel") {
          // As bash: ^C, the line dropped, and the type-ahead with it (the tty flushes its input on SIGINT).
          queue.current = [];
          addEntry({ prompt: session.prompt(), line: `${action.line}^C`, output: "", exitCode: 130 });
        } else {
          queue.current = [];
          exit();
          return;
        }
      }
    };
    keyboard.on("input", onInput);
    return () => {
      keyboard.off("input", onInput);
    };
  });

  const topology = topologyLines(topologyOf(session.world), undefined, width);
  return (
    <Box flexDirection="column">
      <Static items={entries}>{(entry) => <EntryView key={entry.id} entry={entry} />}</Static>
      {topology.map((line, index) => (
        <StyledLine key={index} line={line} color={color} />
      ))}
      <EditedLine prompt={session.prompt()} editor={editor} busy={busy} />
    </Box>
  );
}
