// Where a configuration object came from: the scenario line that made it, so
// an explanation can point the user at the command to change.
export type { SourceLocation } from "../scenario/result.js";
