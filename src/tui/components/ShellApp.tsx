// `netsim shell`: finished lines scroll up in <Static> like a terminal's
// scrollback; below them the topology as it now stands, and the prompt.
import { Box, Static, Text, useApp, useInput } from "ink";
import { useRef, useState } from "react";
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

export function ShellApp({ session, width, color }: ShellAppProps) {
  const [entries, setEntries] = useState<Array<ShellEntry & { readonly id: number }>>([]);
  const [input, setInput] = useState("");
  const [busy, setBusy] = useState(false);
  const [history, setHistory] = useState<string[]>([]);
  const [recall, setRecall] = useState<number | undefined>(undefined);
  const [, setVersion] = useState(0);
  const { exit } = useApp();

  // Lines typed while one runs wait their turn, as a terminal buffers them.
  const queue = useRef<string[]>([]);
  const running = useRef(false);
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
      setEntries((previous) => [...previous, { ...entry, id: previous.length }]);
      setVersion((version) => version + 1);
      if (quit) {
        queue.current = [];
        exit();
        return;
      }
      drain();
    });
  };
  const submit = (line: string) => {
    setRecall(undefined);
    if (line.trim() !== "") setHistory((previous) => [...previous, line]);
    queue.current.push(line);
    drain();
  };

  // Keys can arrive faster than React renders: the line being typed lives in a ref, the state only shows it.
  const typing = useRef("");
  const show = (text: string) => {
    typing.current = text;
    setInput(text);
  };
  useInput((typed, key) => {
    if (key.ctrl && typed === "d" && typing.current === "") {
      exit();
      return;
    }
    if (key.return) {
      const line = typing.current;
      show("");
      submit(line);
    } else if (key.backspace || key.delete) show(typing.current.slice(0, -1));
    else if (key.upArrow && history.length > 0) {
      const index = recall === undefined ? history.length - 1 : Math.max(0, recall - 1);
      setRecall(index);
      show(history[index]!);
    } else if (key.downArrow && recall !== undefined) {
      const index = recall + 1;
      setRecall(index < history.length ? index : undefined);
      show(index < history.length ? history[index]! : "");
    } else if (!key.ctrl && !key.meta && typed.length > 0 && !/[\u0000-\u001f]/.test(typed)) show(typing.current + typed);
  });

  const topology = topologyLines(topologyOf(session.world), undefined, width);
  return (
    <Box flexDirection="column">
      <Static items={entries}>{(entry) => <EntryView key={entry.id} entry={entry} />}</Static>
      {topology.map((line, index) => (
        <StyledLine key={index} line={line} color={color} />
      ))}
      <Text>
        {session.prompt()}
        {input}
        {busy ? "" : "█"}
      </Text>
    </Box>
  );
}
