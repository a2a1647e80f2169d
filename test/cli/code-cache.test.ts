// The code cache behind the bundled `netsim run` (src/cli/code-cache.ts):
// written once into the user's cache folder and read back, never trusted when
// it is not the user's own or does not match, and never required.
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createHash } from "node:crypto";
import { codeCacheFolder, loadScript, SCRIPT_URL_PARAMETER, sealCache, unsealCache } from "../../src/cli/code-cache.js";
import { NETSIM, REPOSITORY } from "../support/netsim-cli.js";

const folders: string[] = [];
function temporary(): string {
  const folder = mkdtempSync(join(tmpdir(), "netsim-code-cache-"));
  folders.push(folder);
  return folder;
}
afterEach(() => {
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

/** A classic script as the bundle writes one: CommonJS, with the script URL for `import.meta.url`. */
function writeScript(folder: string, body = ""): string {
  const path = join(folder, "demo-ABC123.cjs");
  writeFileSync(path, `"use strict";${body}\nmodule.exports = { twice: (value) => value * 2, url: ${SCRIPT_URL_PARAMETER}, base: require("node:path").basename(__filename) };\n`);
  return path;
}

type Demo = { twice(value: number): number; url: string; base: string };

const COMPILED = join(REPOSITORY, "dist", "cli", "code-cache.js");

/**
 * Loads the script in a fresh process, as `netsim run` does (V8 keeps what it
 * compiled for the life of a process, so a second load in this one would come
 * from memory whatever the cache held); saves the cache when asked.
 */
function loadInChild(path: string, cacheHome: string, save: boolean): { fromCache: boolean; twice: number; url: string; base: string } {
  const program = `import { loadScript } from ${JSON.stringify(COMPILED)};
const loaded = loadScript(${JSON.stringify(path)}, { XDG_CACHE_HOME: ${JSON.stringify(cacheHome)} });
if (process.argv.includes("save")) loaded.saveCache();
console.log(JSON.stringify({ fromCache: loaded.fromCache, twice: loaded.exports.twice(21), url: loaded.exports.url, base: loaded.exports.base }));`;
  const child = spawnSync(process.execPath, ["--input-type=module", "-e", program, ...(save ? ["save"] : [])], { encoding: "utf8" });
  if (child.status !== 0) throw new Error(child.stderr);
  return JSON.parse(child.stdout) as { fromCache: boolean; twice: number; url: string; base: string };
}

describe("code cache", () => {
  it("lives in $XDG_CACHE_HOME/netsim, else ~/.cache/netsim", () => {
    expect(codeCacheFolder({ XDG_CACHE_HOME: "/x/cache" })).toBe("/x/cache/netsim");
    expect(codeCacheFolder({ HOME: "/home/someone" })).toMatch(/\/\.cache\/netsim$/);
    // A relative XDG_CACHE_HOME is invalid by the spec: the default applies.
    expect(codeCacheFolder({ XDG_CACHE_HOME: "relative" })).toMatch(/\/\.cache\/netsim$/);
  });

  it("compiles the script, writes the cache after the work, and is compiled from it the next time", () => {
    const scripts = temporary();
    const cacheHome = temporary();
    const path = writeScript(scripts);
    const first = loadScript<Demo>(path, { XDG_CACHE_HOME: cacheHome })!;
    expect(first.fromCache).toBe(false);
    expect(first.exports.twice(21)).toBe(42);
    expect(first.exports.url).toBe(`file://${path}`);
    expect(first.exports.base).toBe("demo-ABC123.cjs");
    // Written only when asked, once the work is done (from a process of its own here, as below).
    expect(existsSync(join(cacheHome, "netsim"))).toBe(false);
    expect(loadInChild(path, cacheHome, true).fromCache).toBe(false);
    const written = readdirSync(join(cacheHome, "netsim"));
    expect(written).toEqual([expect.stringMatching(new RegExp(`^demo-ABC123\\.cjs-.*-${process.version}-${process.arch}\\.v8cache$`))]);
    expect(loadInChild(path, cacheHome, false)).toEqual({ fromCache: true, twice: 42, url: `file://${path}`, base: "demo-ABC123.cjs" });
    // Nothing written anywhere else: the script's folder holds the script only.
    expect(readdirSync(scripts)).toEqual(["demo-ABC123.cjs"]);
  });

  it("falls back to compiling, silently, when the cached data is damaged, and replaces it", () => {
    const cacheHome = temporary();
    const path = writeScript(temporary());
    expect(loadInChild(path, cacheHome, true).fromCache).toBe(false);
    const [name] = readdirSync(join(cacheHome, "netsim"));
    writeFileSync(join(cacheHome, "netsim", name!), Buffer.from("not V8's code cache at all"));
    expect(loadInChild(path, cacheHome, true)).toMatchObject({ fromCache: false, twice: 42 });
    expect(loadInChild(path, cacheHome, false)).toMatchObject({ fromCache: true, twice: 42 });
  });

  it("keys the cache by the script: a changed script does not read the old cache", () => {
    const cacheHome = temporary();
    const scripts = temporary();
    expect(loadInChild(writeScript(scripts), cacheHome, true).fromCache).toBe(false);
    expect(loadInChild(writeScript(scripts, "\nconst padding = 'a longer script';"), cacheHome, true).fromCache).toBe(false);
    // The stale entry of the earlier build is gone.
    expect(readdirSync(join(cacheHome, "netsim"))).toHaveLength(1);
  });

  it("neither reads nor writes a cache folder that others can write", () => {
    const cacheHome = temporary();
    const path = writeScript(temporary());
    loadInChild(path, cacheHome, true);
    chmodSync(join(cacheHome, "netsim"), 0o777);
    expect(loadInChild(path, cacheHome, false)).toMatchObject({ fromCache: false, twice: 42 });
  });

  it("returns nothing for a missing script, and never throws for an unwritable cache folder", () => {
    expect(loadScript<Demo>(join(temporary(), "missing.cjs"))).toBeUndefined();
    const blocked = temporary();
    writeFileSync(join(blocked, "netsim"), "a file where the folder would go");
    const loaded = loadScript<Demo>(writeScript(temporary()), { XDG_CACHE_HOME: blocked })!;
    expect(() => loaded.saveCache()).not.toThrow();
    expect(readFileSync(join(blocked, "netsim"), "utf8")).toBe("a file where the folder would go");
  });

  it("gives the bundled `netsim run` the same output with and without the cache", () => {
    const cacheHome = temporary();
    const run = () => spawnSync(process.execPath, [NETSIM, "run", "scenarios/walkthrough/03-bridge.sh"], { cwd: REPOSITORY, encoding: "utf8", env: { ...process.env, XDG_CACHE_HOME: cacheHome } });
    const first = run();
    expect(readdirSync(join(cacheHome, "netsim"))).toEqual([expect.stringMatching(/^run-[A-Z0-9]+\.cjs-.*\.v8cache$/)]);
    const second = run();
    expect(first.status).toBe(0);
    expect(second.stdout).toBe(first.stdout);
    expect(second.stderr).toBe(first.stderr);
    expect(second.stdout).toContain("expectations");
  });
});

// V8 does not check cached data itself: one flipped byte crashed `netsim run`
// (SIGSEGV, or V8's "Invalid bytecode" abort) until the folder was deleted.
describe("code cache integrity", () => {
  const digest = (data: string | Buffer) => createHash("sha256").update(data).digest();

  it("seals the data with the script's digest and its own: any flipped bit, or another script, is refused", () => {
    const script = digest("the script");
    const data = Buffer.from("some cached code ".repeat(20));
    const sealed = sealCache(script, data);
    expect(unsealCache(script, sealed)).toEqual(data);
    expect(unsealCache(digest("another script"), sealed)).toBeUndefined();
    for (let offset = 0; offset < sealed.length; offset++) {
      const flipped = Buffer.from(sealed);
      flipped[offset]! ^= 0x10;
      expect(unsealCache(script, flipped)).toBeUndefined();
    }
    expect(unsealCache(script, sealed.subarray(0, sealed.length - 1))).toBeUndefined();
    expect(unsealCache(script, Buffer.alloc(0))).toBeUndefined();
  });

  it("a flipped byte anywhere in the bundled run's cache never crashes netsim run: it compiles, and rewrites the cache", () => {
    const cacheHome = temporary();
    const run = () => spawnSync(process.execPath, [NETSIM, "run", "scenarios/walkthrough/03-bridge.sh"], { cwd: REPOSITORY, encoding: "utf8", env: { ...process.env, XDG_CACHE_HOME: cacheHome } });
    const clean = run();
    expect(clean.status).toBe(0);
    const folder = join(cacheHome, "netsim");
    const [name] = readdirSync(folder);
    const path = join(folder, name!);
    const script = readFileSync(join(REPOSITORY, "dist", "bundle", name!.slice(0, name!.indexOf(".cjs-") + ".cjs".length)));
    const good = readFileSync(path);
    expect(unsealCache(digest(script), good)).toBeDefined();
    // Offsets that crashed the unchecked cache (in its data), and the header's magic and digests.
    for (const offset of [0, 9, 40, 72, 1000, Math.floor(good.length * 0.21), Math.floor(good.length / 3), Math.floor(good.length * 0.71), good.length - 1]) {
      const damaged = Buffer.from(good);
      damaged[offset]! ^= 0x04;
      writeFileSync(path, damaged, { mode: 0o600 });
      const result = run();
      expect({ offset, status: result.status, stderr: result.stderr }).toEqual({ offset, status: 0, stderr: "" });
      expect(result.stdout).toBe(clean.stdout);
      const rewritten = readFileSync(path);
      expect(rewritten.equals(damaged)).toBe(false);
      expect(unsealCache(digest(script), rewritten)).toBeDefined();
    }
  });
});

// The folder made for the cache is the user's alone.
describe("code cache folder", () => {
  it("is created private", () => {
    const cacheHome = temporary();
    mkdirSync(cacheHome, { recursive: true });
    loadScript<Demo>(writeScript(temporary()), { XDG_CACHE_HOME: cacheHome })!.saveCache();
    const listing = spawnSync("stat", ["-c", "%a", join(cacheHome, "netsim")], { encoding: "utf8" });
    expect(listing.stdout.trim()).toBe("700");
  });
});
