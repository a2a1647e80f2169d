// `netsim shell`: the walkthrough typed line by line, against one world that
// persists between lines. The interactive forms a script cannot hold are
// taken literally: `nsenter --net=/var/run/netns/NS bash` (or `ip netns exec
// NS bash`) enters a namespace, `exit` leaves it; every other line runs in
// the simulator's embedded bash, inside the namespace entered.
import { resolve } from "node:path";
import type { World } from "../model/world.js";
import { createWorld, namespaceByName } from "../net/index.js";
import { ScenarioSimulator } from "../scenario/runner.js";

export interface ShellEntry {
  readonly prompt: string;
  readonly line: string;
  /** What the line printed, stdout and stderr interleaved as a terminal shows them. */
  readonly output: string;
  readonly exitCode: number;
}

/**
 * The file name lines run under (the simulator names it in error messages).
 * Its folder is the shell's working directory: root's home, /root, which is
 * what the prompt's "~" stands for (pwd prints it).
 */
const LINE_FILE = resolve("/root/.netsim-shell-line.sh");

const ENTER_FORMS: readonly RegExp[] = [/^nsenter\s+(?:--net=|--net\s+|-n\s*)(\S+)\s*(?:bash|sh|\/bin\/bash|\/bin\/sh)?$/, /^ip\s+netns\s+exec\s+(\S+)\s+(?:bash|sh|\/bin\/bash|\/bin\/sh)$/];

function shellQuote(text: string): string {
  return `'${text.replace(/'/g, "'\\''")}'`;
}

export class ShellSession {
  readonly world: World;
  /** The namespace entered with nsenter ("" for the root namespace). */
  namespace = "";
  private lastExit = 0;

  constructor(world: World = createWorld()) {
    this.world = world;
  }

  prompt(): string {
    return `${this.namespace === "" ? "" : `(${this.namespace}) `}root@netsim:~# `;
  }

  /** Run one typed line; `quit` is true when `exit` left the root shell. */
  async run(typed: string): Promise<{ entry: ShellEntry; quit: boolean }> {
    const prompt = this.prompt();
    const line = typed.trim();
    const entry = (output: string, exitCode: number): ShellEntry => {
      this.lastExit = exitCode;
      return { prompt, line: typed, output, exitCode };
    };
    if (line === "" || line.startsWith("#")) return { entry: entry("", this.lastExit), quit: false };
    if (line === "exit" || line === "logout") {
      if (this.namespace === "") return { entry: entry("", 0), quit: true };
      this.namespace = "";
      return { entry: entry("", 0), quit: false };
    }
    for (const form of ENTER_FORMS) {
      const match = form.exec(line);
      if (!match) continue;
      const target = match[1]!;
      const name = form === ENTER_FORMS[0] ? /^(?:\/var)?\/run\/netns\/([^/]+)$/.exec(target)?.[1] : target;
      if (name === undefined || !namespaceByName(this.world, name)) {
        const message = form === ENTER_FORMS[0] ? `nsenter: cannot open ${target}: No such file or directory\n` : `Cannot open network namespace "${target}": No such file or directory\n`;
        return { entry: entry(message, 1), quit: false };
      }
      this.namespace = name;
      return { entry: entry("", 0), quit: false };
    }
    const script = this.namespace === "" ? line : `ip netns exec ${this.namespace} bash -c ${shellQuote(line)}`;
    const run = await new ScenarioSimulator({ world: this.world, files: { [LINE_FILE]: `${script}\n` } }).run(LINE_FILE);
    // Messages name the file a line ran as; at a prompt there is none.
    const output = run.output.replace(/^\S*\.netsim-shell-line\.sh:\d+: /gm, "");
    return { entry: entry(output, run.exitCode), quit: false };
  }
}
