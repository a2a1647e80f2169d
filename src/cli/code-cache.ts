// Loads a bundled classic script (CommonJS, as src/build/bundle.ts writes the
// `netsim run` path) through V8's code cache. Node 20 caches no compiled
// code for ES modules, and compiling the ~1 MB the run path loads, then each
// function it calls, was about a quarter of `netsim run`'s start-up. A
// classic script can be compiled from cached data instead: the first run
// writes it (after its work, so the functions it compiled are in it), the
// next ones read it.
//
// The cache is only ever an optimisation, checked before use:
// - it lives in the user's cache folder ($XDG_CACHE_HOME/netsim, else
//   ~/.cache/netsim), a folder that must be the user's own and writable by
//   no one else, as must each file read from it (V8 runs what it holds);
// - its file name carries the script's name (which holds its content hash),
//   size and time, the Node version and architecture: anything else is
//   another file, and V8 itself rejects data made by another V8 or under
//   other V8 flags (the cache is then written anew);
// - V8 does not check its cached data (a flipped byte can crash the process
//   or run garbage), so the file carries a header: a magic word, the SHA-256
//   of the script the data was made from, and the SHA-256 of the data. Data
//   whose header does not match is never handed to V8; the run compiles and
//   writes the cache anew;
// - any failure (no folder, no permission, rejected data) falls back to
//   compiling the script, silently, and nothing is written anywhere else.
//
// Where Node has module.enableCompileCache() (22.1 and later), Node's own
// cache (which checks its entries the same way) is used instead: see
// enableNodeCompileCache.
import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from "node:fs";
import * as nodeModule from "node:module";
import { createRequire } from "node:module";
import { homedir } from "node:os";
import { basename, dirname, isAbsolute, join } from "node:path";
import { pathToFileURL } from "node:url";
import { constants, Script } from "node:vm";

/** The name the bundle's `import.meta.url` is rewritten to (src/build/bundle.ts defines it). */
export const SCRIPT_URL_PARAMETER = "__netsimScriptUrl";

export interface LoadedScript<Exports> {
  readonly exports: Exports;
  /** Whether V8 took the cached code (false: none, or rejected). */
  readonly fromCache: boolean;
  /** Writes the cache if it was missing or rejected; call once the work is done. Never throws. */
  saveCache(): void;
}

/** $XDG_CACHE_HOME/netsim, else ~/.cache/netsim (the XDG default); undefined without a home. */
export function codeCacheFolder(environment: NodeJS.ProcessEnv = process.env): string | undefined {
  const configured = environment.XDG_CACHE_HOME;
  if (configured && isAbsolute(configured)) return join(configured, "netsim");
  try {
    const home = homedir();
    return home ? join(home, ".cache", "netsim") : undefined;
  } catch {
    return undefined;
  }
}

/** The user's own, and writable by nobody else. */
function ownedByUser(path: string, kind: "file" | "directory"): boolean {
  try {
    const status = statSync(path);
    if (kind === "file" ? !status.isFile() : !status.isDirectory()) return false;
    if (process.getuid && status.uid !== process.getuid()) return false;
    return (status.mode & 0o022) === 0;
  } catch {
    return false;
  }
}

function cacheFileName(scriptPath: string, size: number, modified: number): string {
  return `${basename(scriptPath)}-${size}-${Math.trunc(modified)}-${process.version}-${process.arch}.v8cache`;
}

/** The header before the cached data: magic, SHA-256 of the script, SHA-256 of the data. */
const MAGIC = Buffer.from("NETSIMC1", "latin1");
const DIGEST_LENGTH = 32;
const HEADER_LENGTH = MAGIC.length + 2 * DIGEST_LENGTH;

function sha256(data: string | Buffer): Buffer {
  return createHash("sha256").update(data).digest();
}

/** The file's bytes as written: header, then V8's data. */
export function sealCache(sourceDigest: Buffer, data: Buffer): Buffer {
  return Buffer.concat([MAGIC, sourceDigest, sha256(data), data]);
}

/** V8's data from a cache file, or undefined unless its header names this script and its digest matches. */
export function unsealCache(sourceDigest: Buffer, file: Buffer): Buffer | undefined {
  if (file.length <= HEADER_LENGTH || !file.subarray(0, MAGIC.length).equals(MAGIC)) return undefined;
  if (!file.subarray(MAGIC.length, MAGIC.length + DIGEST_LENGTH).equals(sourceDigest)) return undefined;
  const data = file.subarray(HEADER_LENGTH);
  return file.subarray(MAGIC.length + DIGEST_LENGTH, HEADER_LENGTH).equals(sha256(data)) ? data : undefined;
}

function readCache(folder: string, name: string, sourceDigest: Buffer): Buffer | undefined {
  const path = join(folder, name);
  if (!ownedByUser(folder, "directory") || !ownedByUser(path, "file")) return undefined;
  try {
    return unsealCache(sourceDigest, readFileSync(path));
  } catch {
    return undefined;
  }
}

function writeCache(folder: string, name: string, data: Buffer): void {
  try {
    mkdirSync(folder, { recursive: true, mode: 0o700 });
    if (!ownedByUser(folder, "directory")) return;
    // Written aside and renamed: a concurrent run reads the old file or the new one, never half of one.
    const partial = join(folder, `${name}.${process.pid}.partial`);
    writeFileSync(partial, data, { mode: 0o600 });
    renameSync(partial, join(folder, name));
    // Caches of earlier builds of the same script, for this Node, are stale now.
    const stem = name.slice(0, name.indexOf("-"));
    const suffix = `-${process.version}-${process.arch}`;
    for (const entry of readdirSync(folder)) {
      if (entry !== name && entry.startsWith(`${stem}-`) && entry.includes(suffix) && entry.endsWith(".v8cache")) unlinkSync(join(folder, entry));
    }
  } catch {
    // no cache this time
  }
}

/**
 * Runs the classic script at `scriptPath` as CommonJS and returns its
 * exports, compiled from the code cache when there is a usable one;
 * undefined when the script is missing or does not load (the caller then
 * imports the ES module build instead).
 */
export function loadScript<Exports>(scriptPath: string, environment: NodeJS.ProcessEnv = process.env): LoadedScript<Exports> | undefined {
  let source: string;
  let name: string;
  let sourceDigest: Buffer;
  try {
    const status = statSync(scriptPath);
    name = cacheFileName(scriptPath, status.size, status.mtimeMs);
    const bytes = readFileSync(scriptPath);
    sourceDigest = sha256(bytes);
    source = bytes.toString("utf8");
  } catch {
    return undefined;
  }
  const folder = codeCacheFolder(environment);
  const cached = folder === undefined ? undefined : readCache(folder, name, sourceDigest);
  try {
    const script = new Script(`(function (exports, require, module, __filename, __dirname, ${SCRIPT_URL_PARAMETER}) {${source}\n})`, {
      filename: scriptPath,
      ...(cached ? { cachedData: cached } : {}),
      importModuleDynamically: constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
    });
    const module = { exports: {} as Exports };
    const run = script.runInThisContext() as (...parameters: unknown[]) => void;
    run(module.exports, createRequire(scriptPath), module, scriptPath, dirname(scriptPath), pathToFileURL(scriptPath).href);
    const fromCache = cached !== undefined && !script.cachedDataRejected;
    return {
      exports: module.exports,
      fromCache,
      saveCache: () => {
        if (folder !== undefined && !fromCache) writeCache(folder, name, sealCache(sourceDigest, script.createCachedData()));
      },
    };
  } catch {
    return undefined;
  }
}

/**
 * Node 22.1+: turns on Node's own compile cache (which covers ES modules and
 * checks each entry against its source and a checksum) in the netsim cache
 * folder; returns false where Node has none or the folder is not the user's
 * own, and the caller then uses loadScript.
 */
export function enableNodeCompileCache(environment: NodeJS.ProcessEnv = process.env): boolean {
  const enable = (nodeModule as { enableCompileCache?: (directory?: string) => { status: number } }).enableCompileCache;
  const folder = codeCacheFolder(environment);
  if (typeof enable !== "function" || folder === undefined) return false;
  try {
    mkdirSync(folder, { recursive: true, mode: 0o700 });
    if (!ownedByUser(folder, "directory")) return false;
    const result = enable(join(folder, "node-compile-cache"));
    const constants = (nodeModule as { constants?: { compileCacheStatus?: { FAILED?: number } } }).constants;
    return result.status !== constants?.compileCacheStatus?.FAILED;
  } catch {
    return false;
  }
}
