// curl's command line (curl 7.88.1, src/tool_getparam.c), for the forms
// scenarios use against a server: -s -S -v -f -I -m S --connect-timeout S
// -o FILE -w FORMAT and one http:// URL. Anything else is refused by name.
// -o never writes a file: the model carries no body (and a scenario never
// writes the host).
import { parseHttpUrl, runCurl, type CurlOptions } from "../probes/curl.js";
import { CommandError, refuseIpv6Address, UnsupportedError, type CommandEnvironment, type CommandOutcome } from "./command.js";

const TRY_HELP = "curl: try 'curl --help' or 'curl --manual' for more information";
const LONG_FLAGS: Readonly<Record<string, string>> = { "--silent": "s", "--show-error": "S", "--verbose": "v", "--fail": "f", "--head": "I" };
const LONG_VALUES: Readonly<Record<string, string>> = { "--max-time": "m", "--output": "o", "--write-out": "w", "--connect-timeout": "connect-timeout" };
const SHORT_FLAGS = new Set(["s", "S", "v", "f", "I"]);
const SHORT_VALUES = new Set(["m", "o", "w"]);

function seconds(option: string, text: string): number {
  if (!/^\d+(\.\d+)?$/.test(text)) throw new CommandError(`curl: option ${option}: expected a proper numerical parameter\n${TRY_HELP}`, 2);
  return Math.round(Number(text) * 1_000_000);
}

/** What a curl command line asks for, read without a world: a bad URL, a host name no resolver answers, or the request. */
type CurlLine = { readonly kind: "bad"; readonly showError: boolean } | { readonly kind: "unresolved"; readonly maxTime: number; readonly showError: boolean } | { readonly kind: "request"; readonly options: CurlOptions };

function parseCurl(argv: readonly string[]): CurlLine {
  const flags = new Set<string>();
  const values = new Map<string, string>();
  const urls: string[] = [];
  for (let index = 0; index < argv.length; index++) {
    const word = argv[index]!;
    if (word.startsWith("--")) {
      const [name, inline] = word.includes("=") ? [word.slice(0, word.indexOf("=")), word.slice(word.indexOf("=") + 1)] : [word, undefined];
      if (LONG_FLAGS[name!]) flags.add(LONG_FLAGS[name!]!);
      else if (LONG_VALUES[name!]) {
        const value = inline ?? argv[++index];
        if (value === undefined) throw new CommandError(`curl: option ${name}: requires parameter\n${TRY_HELP}`, 2);
        values.set(LONG_VALUES[name!]!, value);
      } else throw new UnsupportedError(word, `curl ${word} is not modelled`);
      continue;
    }
    if (word.startsWith("-") && word.length > 1) {
      for (let position = 1; position < word.length; position++) {
        const letter = word[position]!;
        if (SHORT_FLAGS.has(letter)) flags.add(letter);
        else if (SHORT_VALUES.has(letter)) {
          const value = position + 1 < word.length ? word.slice(position + 1) : argv[++index];
          if (value === undefined) throw new CommandError(`curl: option -${letter}: requires parameter\n${TRY_HELP}`, 2);
          values.set(letter, value);
          break;
        } else throw new UnsupportedError(`-${letter}`, `curl -${letter} is not modelled`);
      }
      continue;
    }
    urls.push(word);
  }
  if (urls.length === 0) throw new CommandError(`curl: no URL specified!\n${TRY_HELP}`, 2);
  if (urls.length > 1) throw new UnsupportedError(urls[1]!, "curl with more than one URL is not modelled");
  const text = urls[0]!;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text) && !/^http:\/\//i.test(text)) throw new UnsupportedError(text, `curl ${text.split(":")[0]}:// is not modelled (http:// only)`);
  refuseIpv6Address("curl", /^(?:http:\/\/)?(\[[^\]]*\])/.exec(text)?.[1]);
  const url = parseHttpUrl(text);
  const silent = flags.has("s");
  const showError = !silent || flags.has("S");
  if (url === "bad") return { kind: "bad", showError };
  const maxTime = values.has("m") ? seconds("-m", values.get("m")!) : undefined;
  const connectTimeout = values.has("connect-timeout") ? seconds("--connect-timeout", values.get("connect-timeout")!) : undefined;
  if ("unresolved" in url) {
    if (maxTime === undefined) throw new UnsupportedError(url.unresolved, "curl to a host name without -m is not modelled (no resolver answers in a scenario)");
    return { kind: "unresolved", maxTime, showError };
  }
  const options: CurlOptions = {
    url,
    method: flags.has("I") ? "HEAD" : "GET",
    silent,
    showError: flags.has("S"),
    verbose: flags.has("v"),
    fail: flags.has("f"),
    output: values.has("o"),
    ...(maxTime !== undefined ? { maxTime } : {}),
    ...(connectTimeout !== undefined ? { connectTimeout } : {}),
    ...(values.has("w") ? { writeOut: values.get("w")! } : {}),
  };
  return { kind: "request", options };
}

/** The check before the run. */
export function checkCurl(argv: readonly string[]): undefined {
  parseCurl(argv);
  return undefined;
}

export function curl(argv: readonly string[], environment: CommandEnvironment): CommandOutcome {
  const line = parseCurl(argv);
  if (line.kind === "bad") return { kind: "done", stdout: "", stderr: line.showError ? "curl: (3) URL using bad/illegal format or missing URL\n" : "", exitCode: 3 };
  // No resolver answers inside a scenario: curl waits for one until -m (measured: "Resolving timed out after 2000 milliseconds").
  if (line.kind === "unresolved") return { kind: "done", stdout: "", stderr: line.showError ? `curl: (28) Resolving timed out after ${Math.floor(line.maxTime / 1000)} milliseconds\n` : "", exitCode: 28, probe: { tool: "curl" } };
  const run = runCurl(environment.world, environment.namespace, line.options, environment.tracing, environment.commandText);
  return { kind: "done", stdout: run.stdout, stderr: run.stderr, exitCode: run.exitCode, probe: { tool: "curl" }, ...(run.trace ? { trace: run.trace } : {}) };
}
