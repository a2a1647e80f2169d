// Draws a screen's lines, one Text row each.
import { Box } from "ink";
import type { Line } from "../line.js";
import { StyledLine } from "./StyledLine.js";

export function Screen({ lines, width, color }: { readonly lines: readonly Line[]; readonly width: number; readonly color: boolean }) {
  return (
    <Box flexDirection="column" width={width}>
      {lines.map((line, index) => (
        <StyledLine key={index} line={line} color={color} />
      ))}
    </Box>
  );
}
