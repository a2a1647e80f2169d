// Bundles the `netsim` command (src/cli/main.ts) into dist/netsim.mjs with
// its dependencies, as `npm run build` does after tsc. One bundle loads far
// faster than hundreds of files resolved one by one through node_modules:
// `netsim run` starts in about 60% of the time. Subcommands stay lazy: their
// dynamic imports become separate chunks under dist/bundle/, so `netsim run`
// never parses the terminal UI or the Graphviz WebAssembly. The `run` path is
// also built as one classic script (CommonJS), dist/bundle/run-HASH.cjs,
// which the entry loads through V8's code cache (src/cli/code-cache.ts):
// Node 20 caches no compiled code for ES modules.
//
//   node dist/build/bundle.js [ROOT]
import { rmSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { build, type BuildOptions } from "esbuild";
import { SCRIPT_URL_PARAMETER } from "../cli/code-cache.js";

/**
 * Optional packages that just-bash and ink import only behind options netsim
 * never sets (zstd-compressed archives in `tar`; React DevTools when DEV is
 * set): left for node to resolve at run time, so a missing one fails only if
 * it is reached, as it would unbundled.
 */
const OPTIONAL_PACKAGES = ["@mongodb-js/zstd", "react-devtools-core"];

/** What both builds share. */
function common(root: string): BuildOptions {
  return {
    absWorkingDir: root,
    bundle: true,
    platform: "node",
    target: "node20",
    minify: true,
    // Stack traces in bug reports should name our functions.
    keepNames: true,
    legalComments: "linked",
    external: OPTIONAL_PACKAGES,
    logLevel: "warning",
  };
}

/**
 * src/cli/run.ts and all it imports as one CommonJS script, named by its
 * content hash; returns its path relative to dist/. The loader wraps it in a
 * function of (exports, require, module, __filename, __dirname, and the
 * script's URL, for the ES modules' `import.meta.url`).
 */
async function bundleRunScript(root: string, outdir: string): Promise<string> {
  const result = await build({
    ...common(root),
    entryPoints: { run: join(root, "src", "cli", "run.ts") },
    outdir: join(outdir, "bundle"),
    entryNames: "[name]-[hash]",
    outExtension: { ".js": ".cjs" },
    format: "cjs",
    define: { "import.meta.url": SCRIPT_URL_PARAMETER, "import.meta.dirname": "__dirname", "import.meta.filename": "__filename" },
    metafile: true,
  });
  const script = Object.keys(result.metafile.outputs).find((output) => output.endsWith(".cjs"));
  if (!script) throw new Error("bundle: esbuild wrote no run script");
  return `./bundle/${basename(script)}`;
}

export async function bundleCommand(root: string): Promise<void> {
  const outdir = join(root, "dist");
  rmSync(join(outdir, "bundle"), { recursive: true, force: true });
  const runScript = await bundleRunScript(root, outdir);
  await build({
    ...common(root),
    entryPoints: { netsim: join(root, "src", "cli", "main.ts") },
    outdir,
    outExtension: { ".js": ".mjs" },
    chunkNames: "bundle/[name]-[hash]",
    splitting: true,
    format: "esm",
    define: { NETSIM_RUN_SCRIPT: JSON.stringify(runScript) },
    // CommonJS dependencies (ip-num, react) call require() for node builtins.
    banner: { js: 'import { createRequire as netsimCreateRequire } from "node:module"; const require = netsimCreateRequire(import.meta.url);' },
  });
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  await bundleCommand(resolve(process.argv[2] ?? join(import.meta.dirname, "..", "..")));
}
