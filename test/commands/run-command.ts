// Runs one networking command against a world the way the shell embedding
// does: a CommandError becomes the tool's stderr and exit status.
import { CommandError, type CommandEnvironment, type NetworkCommand } from "../../src/commands/command.js";
import type { World } from "../../src/model/world.js";
import { createWorld, namespaceByName, rootNamespace } from "../../src/net/core/net-namespace.js";

export interface Printed {
  readonly stdout: string;
  readonly stderr: string;
  readonly exitCode: number;
}

export function runCommand(command: NetworkCommand, argv: readonly string[], world: World = createWorld(), namespaceName = "", stdin = ""): Printed {
  const namespace = namespaceName === "" ? rootNamespace(world) : namespaceByName(world, namespaceName)!;
  const environment: CommandEnvironment = { world, namespace, tracing: false, stdin, commandText: argv.join(" ") };
  try {
    const outcome = command(argv, environment);
    if (outcome.kind === "process") {
      const started = outcome.process.runUntil(world.clock);
      return { stdout: started.stdout, stderr: started.stderr, exitCode: outcome.process.exitCode ?? 0 };
    }
    if (outcome.kind !== "done") throw new Error(`expected a finished command, got exec of ${outcome.argv.join(" ")}`);
    return { stdout: outcome.stdout, stderr: outcome.stderr, exitCode: outcome.exitCode };
  } catch (error) {
    if (error instanceof CommandError) return { stdout: error.stdout, stderr: error.text.endsWith("\n") ? error.text : `${error.text}\n`, exitCode: error.exitCode };
    throw error;
  }
}

/** A world built by running `ip` lines; each must succeed. */
export function worldAfter(command: NetworkCommand, lines: readonly string[]): World {
  const world = createWorld();
  for (const line of lines) {
    const printed = runCommand(command, line.split(" ").slice(1), world);
    if (printed.exitCode !== 0) throw new Error(`${line}: ${printed.stderr}`);
  }
  return world;
}
