// sudo(8) (sudo 1.9.13, src/parse_args.c) as root runs it: the command runs
// as given, in the same network namespace (as `ip netns exec` hands a
// command to the shell). Forms that would change who runs it or how (another
// user, a login shell, an environment assignment) are refused by name.
// `sudo tee FILE` into /proc/sys writes the key, as the kernel's proc handler would.
import { readSysctl } from "../net/index.js";
import { CommandError, UnsupportedError, type CommandEnvironment, type CommandOutcome } from "./command.js";
import { normaliseSysctlKey, writeSysctlValue } from "./sysctl.js";

const USAGE = `usage: sudo -h | -K | -k | -V
usage: sudo -v [-ABkNnS] [-g group] [-h host] [-p prompt] [-u user]
usage: sudo -l [-ABkNnS] [-g group] [-h host] [-p prompt] [-U user] [-u user]
            [command [arg ...]]
usage: sudo [-ABbEHkNnPS] [-r role] [-t type] [-C num] [-D directory] [-g
            group] [-h host] [-p prompt] [-R directory] [-T timeout] [-u user]
            [VAR=value] [-i | -s] [command [arg ...]]
usage: sudo -e [-ABkNnS] [-r role] [-t type] [-C num] [-D directory] [-g group]
            [-h host] [-p prompt] [-R directory] [-T timeout] [-u user] file ...
`;

/** Options that take a value (sudo's getopt string), so that "-u root" is read as one option. */
const WITH_VALUE = "CDghpRrTtUu";
/** Options with no effect for root running a command in place. */
const NO_EFFECT = "EHnSABkNP";

/** sudo's options, read without a world: the command it runs. */
export function parseSudo(argv: readonly string[]): readonly string[] {
  let index = 0;
  while (index < argv.length) {
    const word = argv[index]!;
    if (word === "--") {
      index++;
      break;
    }
    if (!word.startsWith("-") || word === "-") break;
    if (word.startsWith("--")) {
      const [name, value] = word.split("=", 2);
      if (name === "--preserve-env" || name === "--set-home" || name === "--non-interactive" || name === "--stdin") {
        index++;
        continue;
      }
      if (name === "--user") {
        const user = value ?? argv[++index];
        if (user === undefined) throw new CommandError(`sudo: option '--user' requires an argument\n${USAGE}`, 1);
        if (user !== "root" && user !== "#0") throw new UnsupportedError(word, `sudo --user ${user} is not modelled (scenarios run as root)`);
        index++;
        continue;
      }
      throw new UnsupportedError(word, `sudo option "${word}" is not modelled`);
    }
    for (let position = 1; position < word.length; position++) {
      const letter = word[position]!;
      if (NO_EFFECT.includes(letter)) continue;
      if (letter === "i" || letter === "s") throw new UnsupportedError(word, `sudo -${letter} (${letter === "i" ? "a login shell" : "a shell"}) is not modelled`);
      if (WITH_VALUE.includes(letter)) {
        const rest = word.slice(position + 1);
        const value = rest !== "" ? rest : argv[++index];
        if (value === undefined) throw new CommandError(`sudo: option requires an argument -- '${letter}'\n${USAGE}`, 1);
        if (letter === "u" && (value === "root" || value === "#0")) break;
        throw new UnsupportedError(word, letter === "u" ? `sudo -u ${value} is not modelled (scenarios run as root)` : `sudo -${letter} is not modelled`);
      }
      if ("behlvKkV".includes(letter)) throw new UnsupportedError(word, `sudo -${letter} is not modelled`);
      throw new CommandError(`sudo: invalid option -- '${letter}'\n${USAGE}`, 1);
    }
    index++;
  }
  const command = argv.slice(index);
  if (command.length === 0) throw new CommandError(USAGE, 1);
  if (/^[A-Za-z_][A-Za-z0-9_]*=/.test(command[0]!)) throw new UnsupportedError(command[0]!, "sudo VAR=value (an environment assignment) is not modelled");
  return command;
}

/** The check before the run: sudo's options, then the command it runs (tee into /proc/sys is checked where it runs). */
export function checkSudo(argv: readonly string[]): readonly string[] | undefined {
  const command = parseSudo(argv);
  return command[0] === "tee" ? undefined : command;
}

export function sudo(argv: readonly string[], environment: CommandEnvironment): CommandOutcome {
  const command = parseSudo(argv);
  if (command[0] === "tee" && command.slice(1).some((path) => path.startsWith("/proc/sys/"))) return teeProcSys(command.slice(1), environment);
  return { kind: "exec", namespace: environment.namespace, argv: command };
}

/** tee(1) into /proc/sys files: each key gets what came in on stdin, and stdin goes on to stdout. */
function teeProcSys(argv: readonly string[], environment: CommandEnvironment): CommandOutcome {
  let stderr = "";
  let exitCode = 0;
  for (const path of argv) {
    if (path === "-a" || path === "--append") continue;
    if (path.startsWith("-")) throw new UnsupportedError(path, `tee ${path} is not modelled`);
    if (!path.startsWith("/proc/sys/")) throw new UnsupportedError(path, "sudo tee into /proc/sys and another file at once is not modelled");
    const key = normaliseSysctlKey(path);
    if (readSysctl(environment.namespace, key) === undefined) {
      stderr += `tee: ${path}: No such file or directory\n`;
      exitCode = 1;
      continue;
    }
    const written = writeSysctlValue(environment, key, environment.stdin.trim());
    if (!written.ok) {
      stderr += `tee: ${path}: Invalid argument\n`;
      exitCode = 1;
    }
  }
  return { kind: "done", stdout: environment.stdin, stderr, exitCode };
}
