// nsenter(1) (util-linux), for its network-namespace form:
// `nsenter --net=/var/run/netns/NS CMD` (also /run/netns, -n PATH, --net PATH).
import { namespaceByName, rootNamespace } from "../net/index.js";
import { CommandError, UnsupportedError, type CommandEnvironment, type CommandOutcome } from "./command.js";

/** nsenter's options, read without a world: the namespace path and the command to run there. */
export function parseNsenter(argv: readonly string[]): { readonly path: string; readonly command: readonly string[] } {
  let path: string | undefined;
  let index = 0;
  for (; index < argv.length; index++) {
    const word = argv[index]!;
    if (word.startsWith("--net=")) path = word.slice("--net=".length);
    else if (word === "--net" || word === "-n") path = argv[++index];
    else if (word.startsWith("-n") && word.length > 2) path = word.slice(2);
    else if (word === "--") {
      index++;
      break;
    } else if (word.startsWith("-")) throw new UnsupportedError(word, `nsenter ${word} is not modelled (only --net)`);
    else break;
  }
  if (path === undefined) throw new UnsupportedError("nsenter", "nsenter without --net=/var/run/netns/NAME is not modelled");
  return { path, command: argv.slice(index) };
}

/** After the namespace is opened, as nsenter does: no command would be an interactive shell. */
function commandToRun(command: readonly string[]): readonly string[] {
  if (command.length === 0) throw new UnsupportedError("nsenter", "an interactive shell from nsenter is not available in a scenario; give the command to run");
  return command;
}

/** The check before the run: nsenter's options, then the command it runs. */
export function checkNsenter(argv: readonly string[]): readonly string[] {
  return commandToRun(parseNsenter(argv).command);
}

export function nsenter(argv: readonly string[], environment: CommandEnvironment): CommandOutcome {
  const { path, command } = parseNsenter(argv);
  const match = /^(?:\/var)?\/run\/netns\/([^/]+)$/.exec(path);
  const namespace = match ? namespaceByName(environment.world, match[1]!) : path === "/proc/1/ns/net" ? rootNamespace(environment.world) : undefined;
  if (!namespace) throw new CommandError(`nsenter: cannot open ${path}: No such file or directory`, 1);
  return { kind: "exec", namespace, argv: commandToRun(command) };
}
