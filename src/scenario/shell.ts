// The embedded shell for one scenario run: a just-bash interpreter on its
// own in-memory file system holding the scenario's files, built through
// just-bash's public API only (no patch, no private members): netsim's
// commands are custom commands, the file system is the one just-bash makes.
import { Bash, type BashOptions, type Command, type InitialFiles } from "just-bash";

/** The file system's byte limit (just-bash's default, stated). */
export const FILE_SYSTEM_BYTES = 1024 * 1024 * 1024;

export interface ShellOptions extends Omit<BashOptions, "fs" | "files" | "cwd" | "customCommands"> {
  readonly files: InitialFiles;
  readonly cwd: string;
  readonly customCommands: Command[];
}

export function createShell(options: ShellOptions): Bash {
  return new Bash({ ...options, executionLimits: { ...options.executionLimits, maxFileSystemBytes: FILE_SYSTEM_BYTES } });
}
