// One screen line: its segments drawn in colour, or as plain text when colour is off (NO_COLOR).
import { Text } from "ink";
import type { Line, Style } from "../line.js";

interface TextStyle {
  readonly color?: string;
  readonly backgroundColor?: string;
  readonly bold?: boolean;
  readonly dimColor?: boolean;
}

const STYLES: Readonly<Record<Style, TextStyle>> = {
  title: { bold: true },
  current: { bold: true, color: "cyan" },
  "packet-here": { bold: true, color: "black", backgroundColor: "yellow" },
  dim: { dimColor: true },
  good: { color: "green" },
  bad: { color: "red" },
  changed: { bold: true, color: "magenta" },
  key: { color: "cyan" },
};

export function StyledLine({ line, color }: { readonly line: Line; readonly color: boolean }) {
  if (line.length === 0) return <Text> </Text>;
  return (
    <Text wrap="truncate-end">
      {line.map((segment, index) =>
        color && segment.style ? (
          <Text key={index} {...STYLES[segment.style]}>
            {segment.text}
          </Text>
        ) : (
          segment.text
        ),
      )}
    </Text>
  );
}
