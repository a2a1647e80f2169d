// /proc/sys in the embedded shell's file system (fs/proc/proc_sysctl.c's
// proc_sys_read/proc_sys_write): whatever writes a file under /proc/sys —
// `echo 1 > $P`, `tee`, `printf 1 >`, `bash -c '...'`, `sh -c` — reaches the
// sysctl of the namespace the writer runs in, and reads give the value. The
// literal `echo V > /proc/sys/...` form is rewritten before it runs (its
// errors are bash's own, at its line: src/scenario/transform.ts); this is
// everything else, through just-bash's public file-system class.
import { InMemoryFs, type InitialFiles } from "just-bash";
import { commandPath } from "./command-paths.js";
import { LOOP_MARK_PATH, STDERR_SINK, STDOUT_SINK } from "./shell-names.js";

export const PROC_SYS = "/proc/sys/";

/** Without write and read, files under /proc/sys are ordinary files (a shell with no world: the conformance corpus). */
export interface ProcSysHooks {
  /** A write of `text` to the file at `path` (opening for writing alone, which truncates, writes nothing: a no-op as on procfs). */
  write?(path: string, text: string): void;
  /** The file's text, or undefined when no such key exists. */
  read?(path: string): string | undefined;
  /** A loop's iteration began (its mark, FILE:LINE: shell-names.ts). */
  loop?(mark: string): void;
  /**
   * A shell file's text as the shell runs it (the transform's), given the text
   * as written; undefined to read it as written. Only what reads a file as a
   * string (source, bash FILE) takes it: cat, head and read see the file as
   * the user wrote it.
   */
  script?(path: string, text: string): string | undefined;
  /** What a command wrote to its stdout or stderr sink (shell-names.ts), in the order written. */
  output?(stream: "stdout" | "stderr", text: string): void;
  /** A file is about to be read: what is due to be written to files by now (a job's redirected output) is written first. */
  beforeRead?(): void;
}

type FileContent = Parameters<InMemoryFs["writeFile"]>[1];
type FsStat = Awaited<ReturnType<InMemoryFs["stat"]>>;

/** A sysctl file as procfs shows it: a regular file of size 0, mode 0644; no clock is read. */
function procSysStat(): FsStat {
  return { isFile: true, isDirectory: false, isSymbolicLink: false, mode: 0o100644, size: 0, mtime: new Date(0) };
}

function text(content: FileContent): string {
  return typeof content === "string" ? content : new TextDecoder().decode(content as Uint8Array);
}

export class ProcSysFileSystem extends InMemoryFs {
  constructor(
    files: InitialFiles,
    options: ConstructorParameters<typeof InMemoryFs>[1],
    private readonly hooks: ProcSysHooks,
  ) {
    super(files, options);
  }

  /** A write to a stdout or stderr sink: a chunk for the journal, never a file (the shell touches the sink with "" first). */
  private sink(path: string, content: FileContent): boolean {
    const stream = path === STDOUT_SINK ? "stdout" : path === STDERR_SINK ? "stderr" : undefined;
    if (stream === undefined || !this.hooks.output) return false;
    const written = text(content);
    if (written !== "") this.hooks.output(stream, written);
    return true;
  }

  override async writeFile(path: string, content: FileContent, options?: Parameters<InMemoryFs["writeFile"]>[2]): Promise<void> {
    if (this.sink(path, content)) return;
    if (!this.procSys(path)) return super.writeFile(path, content, options);
    const written = text(content);
    if (written !== "") this.hooks.write!(path, written);
  }

  override async appendFile(path: string, content: FileContent, options?: Parameters<InMemoryFs["appendFile"]>[2]): Promise<void> {
    if (this.sink(path, content)) return;
    if (!this.procSys(path)) return super.appendFile(path, content, options);
    const written = text(content);
    if (written !== "") this.hooks.write!(path, written);
  }

  private procSys(path: string): boolean {
    return this.hooks.read !== undefined && path.startsWith(PROC_SYS);
  }

  /** A loop's mark: read as an empty file, kept nowhere (ls / does not show it). */
  private loopMark(path: string): boolean {
    if (!path.startsWith(LOOP_MARK_PATH)) return false;
    this.hooks.loop?.(path.slice(LOOP_MARK_PATH.length));
    return true;
  }

  override async readFile(path: string, options?: Parameters<InMemoryFs["readFile"]>[1]): Promise<string> {
    if (this.loopMark(path)) return "";
    this.hooks.beforeRead?.();
    const value = this.procSys(path) ? this.hooks.read!(path) : undefined;
    if (value !== undefined) return value;
    const text = await super.readFile(path, options);
    return (this.hooks.script && path.endsWith(".sh") && this.hooks.script(path, text)) || text;
  }

  override async readFileBuffer(path: string): Promise<Uint8Array> {
    if (this.loopMark(path)) return new Uint8Array();
    this.hooks.beforeRead?.();
    const value = this.procSys(path) ? this.hooks.read!(path) : undefined;
    return value === undefined ? super.readFileBuffer(path) : new TextEncoder().encode(value);
  }

  override async stat(path: string): Promise<FsStat> {
    return path.startsWith(LOOP_MARK_PATH) || (this.procSys(path) && this.hooks.read!(path) !== undefined) ? procSysStat() : super.stat(path);
  }

  override async lstat(path: string): Promise<FsStat> {
    return path.startsWith(LOOP_MARK_PATH) || (this.procSys(path) && this.hooks.read!(path) !== undefined) ? procSysStat() : super.lstat(path);
  }

  /** A command called by the path Debian installs it at runs the modelled command (command-paths.ts). */
  override resolvePath(base: string, path: string): string {
    return commandPath(super.resolvePath(base, path));
  }

  override async exists(path: string): Promise<boolean> {
    return path.startsWith(LOOP_MARK_PATH) || (this.procSys(path) && this.hooks.read!(path) !== undefined) || super.exists(path);
  }
}
