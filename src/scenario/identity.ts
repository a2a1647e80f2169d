// Who a scenario runs as: root, as a script that configures namespaces and
// netfilter must (coreutils `id` and `whoami`, and bash's $EUID/$UID through
// the interpreter's process information). Texts as coreutils 9.1 prints them
// for root on Debian.
import { defineCommand, type Command } from "just-bash";

/** The interpreter's process identity: bash sets $EUID and $UID from it. */
export const ROOT_PROCESS = { uid: 0, gid: 0 } as const;

const ID_USAGE = "Try 'id --help' for more information.\n";

function id(args: readonly string[]): { stdout: string; stderr: string; exitCode: number } {
  let field: "u" | "g" | "G" | undefined;
  let name = false;
  for (const arg of args) {
    if (!/^-[ugGnr]+$/.test(arg)) {
      if (arg.startsWith("-")) return { stdout: "", stderr: `id: invalid option -- '${arg.replace(/^-+/, "").charAt(0)}'\n${ID_USAGE}`, exitCode: 1 };
      // id USER: root is the only user the scenario's world has.
      if (arg !== "root") return { stdout: "", stderr: `id: ‘${arg}’: no such user\n`, exitCode: 1 };
      continue;
    }
    for (const letter of arg.slice(1)) {
      if (letter === "n") name = true;
      else if (letter === "r") continue;
      else if (field !== undefined && field !== letter) return { stdout: "", stderr: `id: cannot print "only" of more than one choice\n`, exitCode: 1 };
      else field = letter as "u" | "g" | "G";
    }
  }
  if (field === undefined) {
    if (name) return { stdout: "", stderr: `id: cannot print only names or real IDs in default format\n`, exitCode: 1 };
    return { stdout: "uid=0(root) gid=0(root) groups=0(root)\n", stderr: "", exitCode: 0 };
  }
  return { stdout: name ? "root\n" : "0\n", stderr: "", exitCode: 0 };
}

export function identityCommands(): Command[] {
  return [
    defineCommand("id", async (args) => id(args)),
    defineCommand("whoami", async (args) => (args.length > 0 ? { stdout: "", stderr: `whoami: extra operand ‘${args[0]}’\nTry 'whoami --help' for more information.\n`, exitCode: 1 } : { stdout: "root\n", stderr: "", exitCode: 0 })),
  ];
}
