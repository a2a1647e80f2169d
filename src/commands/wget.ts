// wget's command line (GNU Wget 1.21), for the form scripts use as a probe:
// `wget [-q] [-O FILE|-O-] [-T S] [-t N] URL`. -O never writes a file (the
// model carries no body). Anything else is refused by name.
import { advanceClock } from "../net/index.js";
import { parseHttpUrl, runWget } from "../probes/curl.js";
import { CommandError, refuseIpv6Address, UnsupportedError, type CommandEnvironment, type CommandOutcome } from "./command.js";

/** wget's command line, read without a world. */
function parseWget(argv: readonly string[]) {
  let quiet = false;
  let timeout: number | undefined;
  let tries = 20;
  const urls: string[] = [];
  for (let index = 0; index < argv.length; index++) {
    const word = argv[index]!;
    const value = (inline: string) => (inline !== "" ? inline : argv[++index]);
    if (word === "-q" || word === "--quiet") quiet = true;
    else if (word.startsWith("-O") || word.startsWith("--output-document")) {
      const given = word.startsWith("-O") ? value(word.slice(2)) : word.includes("=") ? word.slice(word.indexOf("=") + 1) : argv[++index];
      if (given === undefined) throw new CommandError("wget: option requires an argument -- 'O'\nUsage: wget [OPTION]... [URL]...\n\nTry `wget --help' for more options.", 1);
    } else if (word.startsWith("-T") || word.startsWith("--timeout=")) {
      const given = word.startsWith("-T") ? value(word.slice(2)) : word.slice("--timeout=".length);
      if (given === undefined || !/^\d+(\.\d+)?$/.test(given)) throw new CommandError(`wget: --timeout: Invalid time period '${given ?? ""}'`, 2);
      timeout = Math.round(Number(given) * 1_000_000);
    } else if (word.startsWith("-t") || word.startsWith("--tries=")) {
      const given = word.startsWith("-t") ? value(word.slice(2)) : word.slice("--tries=".length);
      if (given === undefined || !/^\d+$/.test(given)) throw new CommandError(`wget: --tries: Invalid number '${given ?? ""}'`, 2);
      tries = Number(given) === 0 ? Number.POSITIVE_INFINITY : Number(given);
    } else if (word.startsWith("-")) throw new UnsupportedError(word, `wget ${word} is not modelled`);
    else urls.push(word);
  }
  if (urls.length !== 1) {
    if (urls.length === 0) throw new CommandError("wget: missing URL\nUsage: wget [OPTION]... [URL]...\n\nTry `wget --help' for more options.", 1);
    throw new UnsupportedError(urls[1]!, "wget with more than one URL is not modelled");
  }
  refuseIpv6Address("wget", /^(?:http:\/\/)?(\[[^\]]*\])/.exec(urls[0]!)?.[1]);
  const url = parseHttpUrl(urls[0]!);
  if (url === "bad" || "unresolved" in url) throw new UnsupportedError(urls[0]!, "wget to anything but http://ADDRESS[:PORT]/ is not modelled");
  return { url, quiet, timeout, tries };
}

/** The check before the run. */
export function checkWget(argv: readonly string[]): undefined {
  parseWget(argv);
  return undefined;
}

export function wget(argv: readonly string[], environment: CommandEnvironment): CommandOutcome {
  const { url, quiet, timeout, tries } = parseWget(argv);
  let run = runWget(environment.world, environment.namespace, { url, quiet, ...(timeout !== undefined ? { timeout } : {}) }, environment.tracing, environment.commandText);
  // A timed-out connect is tried again (--tries, default 20), after 1, 2 ... 10 s (--waitretry=10); a refused one is not.
  let stderr = run.stderr;
  for (let attempt = 2; attempt <= tries && run.timedOut; attempt++) {
    advanceClock(environment.world, Math.min(attempt - 1, 10) * 1_000_000);
    run = runWget(environment.world, environment.namespace, { url, quiet, ...(timeout !== undefined ? { timeout } : {}) }, environment.tracing, environment.commandText);
    stderr += run.stderr;
  }
  return { kind: "done", stdout: run.stdout, stderr, exitCode: run.exitCode, probe: { tool: "wget" }, ...(run.trace ? { trace: run.trace } : {}) };
}

