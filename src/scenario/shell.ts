// The embedded shell for one scenario run: a just-bash interpreter on an
// in-memory file system holding the scenario's files.
//
// Every new interpreter writes the same layout into its file system: a stub
// file under /bin and /usr/bin for each of its ~120 commands, /dev and
// /proc/self. Written file by file that is about a millisecond, most of a
// short scenario's run. The layout is the same for every run with the same
// command names, so it is written once into a template and copied into each
// new file system (a copy of ~190 entries), and the interpreter's own writes
// are skipped while it is constructed. The result is the file system the
// interpreter would have built itself, entry for entry and in the same order
// (test/scenario/shell.test.ts compares them); whenever it might not be (a
// scenario file where the layout puts one, a just-bash whose internals
// differ), the interpreter builds it the ordinary way.
import { Bash, defineCommand, InMemoryFs, type BashOptions, type Command, type FsEntry, type InitialFiles } from "just-bash";

/** The file system's byte limit: just-bash's default, stated so that both ways of building agree. */
export const FILE_SYSTEM_BYTES = 1024 * 1024 * 1024;

/** The InMemoryFs members the copy uses: private in its typings, present in the pinned just-bash, checked before use. */
interface InMemoryFsInternals {
  readonly data: Map<string, FsEntry>;
  setEntry(path: string, entry: FsEntry): void;
}

function internals(fileSystem: InMemoryFs): InMemoryFsInternals | undefined {
  const candidate = fileSystem as unknown as Partial<InMemoryFsInternals>;
  return candidate.data instanceof Map && typeof candidate.setEntry === "function" ? (candidate as InMemoryFsInternals) : undefined;
}

/** An InMemoryFs whose writes can be muted while the interpreter that owns it is constructed. */
export class ShellFileSystem extends InMemoryFs {
  muted = false;

  override writeFileSync(...args: Parameters<InMemoryFs["writeFileSync"]>): void {
    if (!this.muted) super.writeFileSync(...args);
  }

  override writeFileLazy(...args: Parameters<InMemoryFs["writeFileLazy"]>): void {
    if (!this.muted) super.writeFileLazy(...args);
  }
}

export interface ShellOptions extends Omit<BashOptions, "fs" | "files" | "cwd" | "customCommands"> {
  readonly files: InitialFiles;
  readonly cwd: string;
  readonly customCommands: Command[];
}

/** The layout a new interpreter writes, by the names of its custom commands (each adds two stubs). */
const layouts = new Map<string, ReadonlyArray<readonly [string, FsEntry]>>();

function layoutFor(customCommands: readonly Command[], options: ShellOptions): ReadonlyArray<readonly [string, FsEntry]> | undefined {
  const key = customCommands.map((command) => command.name).join("\n");
  let layout = layouts.get(key);
  if (layout === undefined) {
    const template = new ShellFileSystem(undefined, { maxTotalBytes: FILE_SYSTEM_BYTES });
    const data = internals(template)?.data;
    if (!data) return undefined;
    const stand = (name: string) => defineCommand(name, async () => ({ stdout: "", stderr: "", exitCode: 0 }));
    new Bash({ ...options, fs: template, cwd: "/", customCommands: customCommands.map((command) => stand(command.name)) });
    layout = [...data].filter(([path]) => path !== "/");
    layouts.set(key, layout);
  }
  return layout;
}

function copyEntry(entry: FsEntry): FsEntry {
  // Entries are mutable (chmod, utimes) and so are contents read as bytes: each run gets its own.
  return entry.type === "file" && "content" in entry && entry.content instanceof Uint8Array ? { ...entry, content: new Uint8Array(entry.content) } : { ...entry };
}

/**
 * The file system a new interpreter would build from `files` with its
 * layout, copied from the template; undefined when that cannot be done
 * exactly (the caller then lets the interpreter build it).
 */
function prepareFileSystem(options: ShellOptions): ShellFileSystem | undefined {
  const layout = layoutFor(options.customCommands, options);
  if (!layout) return undefined;
  const fileSystem = new ShellFileSystem(options.files, { maxTotalBytes: FILE_SYSTEM_BYTES });
  const own = internals(fileSystem)!;
  // The interpreter creates its working directory after the layout; it exists already when it holds a scenario file.
  if (options.cwd !== "/" && own.data.get(options.cwd)?.type !== "directory") return undefined;
  for (const [path, entry] of layout) {
    const existing = own.data.get(path);
    if (existing === undefined) own.setEntry(path, copyEntry(entry));
    // A directory the scenario's files made already: the interpreter's mkdir keeps it. Anything else
    // there (a scenario file where the layout has one) is left to the interpreter's own order of writes.
    else if (existing.type !== "directory" || entry.type !== "directory") return undefined;
  }
  return fileSystem;
}

export function createShell(options: ShellOptions): Bash {
  const { files, ...rest } = options;
  const fileSystem = prepareFileSystem(options);
  if (!fileSystem) return new Bash({ ...rest, files, executionLimits: { ...rest.executionLimits, maxFileSystemBytes: FILE_SYSTEM_BYTES } });
  fileSystem.muted = true;
  try {
    return new Bash({ ...rest, fs: fileSystem, executionLimits: { ...rest.executionLimits, maxFileSystemBytes: FILE_SYSTEM_BYTES } });
  } finally {
    fileSystem.muted = false;
  }
}
