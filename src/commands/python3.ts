// python3, for the one use scenarios make of it: `python3 -m http.server
// [PORT] [--bind ADDR] [--directory DIR]` (Lib/http/server.py's test()),
// a listener that runs until killed. Every other python3 use is refused by name.
import { parseIpv4Address } from "../model/address.js";
import { ListenerProcess, serveHttp } from "../probes/servers.js";
import { socketBind, socketClose, socketCreate, socketListen } from "../net/index.js";
import { CommandError, UnsupportedError, type CommandEnvironment, type CommandOutcome } from "./command.js";

const USAGE = "usage: server.py [-h] [--cgi] [--bind ADDRESS] [--directory DIRECTORY] [port]";

/** `python3 -m http.server`'s command line, read without a world: where it listens. */
function parseHttpServer(argv: readonly string[]): { readonly address: number; readonly port: number } {
  if (argv[0] !== "-m" || argv[1] !== "http.server") throw new UnsupportedError(argv.join(" ") || "python3", "python3 is modelled only as `python3 -m http.server [PORT] [--bind ADDR]`");
  let port = 8000;
  let address = 0;
  for (let index = 2; index < argv.length; index++) {
    const word = argv[index]!;
    if (word === "--bind" || word === "-b") {
      const value = argv[++index];
      if (value === undefined) throw new CommandError(`${USAGE}\nserver.py: error: argument --bind/-b: expected one argument`, 2);
      const parsed = parseIpv4Address(value);
      if (parsed === undefined) throw new UnsupportedError(value, "http.server --bind with a host name is not modelled");
      address = parsed;
    } else if (word === "--directory" || word === "-d") {
      // The model serves no files: the directory changes nothing it answers.
      if (argv[++index] === undefined) throw new CommandError(`${USAGE}\nserver.py: error: argument --directory/-d: expected one argument`, 2);
    } else if (/^\d+$/.test(word)) port = Number(word);
    else if (word.startsWith("-")) throw new UnsupportedError(word, `python3 -m http.server ${word} is not modelled`);
    else throw new CommandError(`${USAGE}\nserver.py: error: argument port: invalid int value: '${word}'`, 2);
  }
  if (port > 65535) throw new CommandError("OverflowError: bind(): port must be 0-65535.", 1);
  return { address, port };
}

/** The check before the run. */
export function checkPython3(argv: readonly string[]): undefined {
  parseHttpServer(argv);
  return undefined;
}

export function python3(argv: readonly string[], environment: CommandEnvironment): CommandOutcome {
  const { address, port } = parseHttpServer(argv);
  const { world, namespace } = environment;
  const socket = socketCreate(world, namespace, "tcp");
  // socketserver.TCPServer with allow_reuse_address: SO_REUSEADDR, which a listener on the port still refuses.
  const bound = socketBind(world, namespace, socket, address, port);
  if (!bound.ok) {
    socketClose(world, namespace, socket);
    return { kind: "done", stdout: "", stderr: "OSError: [Errno 98] Address already in use\n", exitCode: 1 };
  }
  socketListen(socket, true);
  serveHttp(world, socket);
  return { kind: "process", process: new ListenerProcess(world, namespace, [socket], false) };
}
