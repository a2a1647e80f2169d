// `netsim step`: holds where the user stands in the walk and maps keys to
// moves; what is on screen comes from screenLines(), drawn by <Screen>.
import { useApp, useInput } from "ink";
import { useState } from "react";
import { actionForKey, INITIAL_STATE, reduce, type ViewState } from "../navigation.js";
import { clampView, screenLines } from "../screen.js";
import type { Walk } from "../walk.js";
import { Screen } from "./Screen.js";

export interface AppProps {
  readonly walk: Walk;
  readonly width: number;
  readonly height: number;
  /** False under NO_COLOR: every mark is then carried by text alone. */
  readonly color: boolean;
  readonly initial?: ViewState;
}

export function App({ walk, width, height, color, initial }: AppProps) {
  const [state, setState] = useState<ViewState>(initial ?? INITIAL_STATE);
  const { exit } = useApp();
  useInput((input, key) => {
    if (key.escape && state.help) {
      setState((current) => ({ ...current, help: false }));
      return;
    }
    const action = actionForKey(input, key);
    if (action === "quit") exit();
    else if (action) setState((current) => clampView(walk, reduce(walk, current, action), width, height));
  });
  return <Screen lines={screenLines(walk, state, width, height)} width={width} color={color} />;
}
