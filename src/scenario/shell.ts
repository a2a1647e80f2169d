// The embedded shell for one scenario run: a just-bash interpreter on its
// own in-memory file system holding the scenario's files, built through
// just-bash's public API only (no patch, no private members): netsim's
// commands are custom commands, the file system is the one just-bash makes.
import { Bash, type BashOptions, type Command, type InitialFiles } from "just-bash";
import { ProcSysFileSystem, type ProcSysHooks } from "./proc-sys-fs.js";
import { evalCommands } from "./transform.js";

/** The file system's byte limit (just-bash's default, stated). */
export const FILE_SYSTEM_BYTES = 1024 * 1024 * 1024;

export interface ShellOptions extends Omit<BashOptions, "fs" | "files" | "cwd" | "customCommands"> {
  readonly files: InitialFiles;
  readonly cwd: string;
  readonly customCommands: Command[];
  /** Where reads and writes of files under /proc/sys go (else they are ordinary files). */
  readonly procSys?: ProcSysHooks;
}

export function createShell(options: ShellOptions): Bash {
  const { procSys, files, ...rest } = options;
  const executionLimits = { ...rest.executionLimits, maxFileSystemBytes: FILE_SYSTEM_BYTES };
  // Always this file system: it also reads the loops' marks (shell-names.ts), which the transform puts in every located script.
  // eval's text routed as a nested script's (transform.ts) wherever the shell runs.
  return new Bash({ ...rest, customCommands: [...rest.customCommands, ...evalCommands()], fs: new ProcSysFileSystem(files, { maxTotalBytes: FILE_SYSTEM_BYTES }, procSys ?? {}), executionLimits });
}
