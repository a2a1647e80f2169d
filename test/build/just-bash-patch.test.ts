// patches/just-bash+3.4.2.patch, applied by patch-package from `npm ci`'s
// prepare step (patches/README.md says what it changes and why):
// - a trusted command (defineCommand's default, as every netsim command is)
//   runs on the interpreter's own context and execution scope, without the
//   per-call revocable copy, restricted scope view and deadline race; an
//   untrusted one keeps all three. These tests fail when the patch is not
//   applied (the trusted command would see copies);
// - a command argument made of literal text only is expanded without the
//   chain of asynchronous special cases; the words below expand as bash
//   expands them (the expected text is real bash's output on the same files).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Bash, defineCommand, type CommandContext } from "just-bash";
import { describe, expect, it } from "vitest";

const REPOSITORY = join(import.meta.dirname, "..", "..");

async function contextsSeen(trusted: boolean): Promise<{ bash: Bash; contexts: CommandContext[]; stdout: string }> {
  const contexts: CommandContext[] = [];
  const probe = defineCommand(
    "probe",
    async (args, context) => {
      contexts.push(context);
      return { stdout: `${args.join(" ")} ${context.env.get("NAME") ?? ""}\n`, stderr: "", exitCode: 0 };
    },
    { trusted },
  );
  const bash = new Bash({ customCommands: [probe], defenseInDepth: false });
  const result = await bash.exec("NAME=x\nprobe one\nprobe two\n");
  return { bash, contexts, stdout: result.stdout };
}

describe("just-bash patch (patches/just-bash+3.4.2.patch)", () => {
  it("gives a trusted command the interpreter's own file system and variables, the same objects on every call", async () => {
    const { bash, contexts, stdout } = await contextsSeen(true);
    expect(stdout).toBe("one x\ntwo x\n");
    expect(contexts).toHaveLength(2);
    expect(contexts[0]!.fs).toBe(bash.fs);
    expect(contexts[1]!.fs).toBe(bash.fs);
    expect(contexts[0]!.env).toBe(contexts[1]!.env);
    expect(contexts[0]!.executionScope).toBeDefined();
    expect(contexts[0]!.executionScope).toBe(contexts[1]!.executionScope);
    // Nothing revoked after the call returned.
    expect(contexts[0]!.env.get("NAME")).toBe("x");
  });

  it("still wraps an untrusted command's context in a fresh revocable copy per call", async () => {
    const { bash, contexts, stdout } = await contextsSeen(false);
    expect(stdout).toBe("one x\ntwo x\n");
    // Compared by hand: expect() would read the revoked copies' properties.
    expect(contexts[0]!.fs === bash.fs).toBe(false);
    expect(contexts[0]!.env === contexts[1]!.env).toBe(false);
    expect(contexts[0]!.executionScope === contexts[1]!.executionScope).toBe(false);
    // Revoked once the call returned.
    expect(() => contexts[0]!.env.get("NAME")).toThrow("execution aborted");
  });

  it("names the just-bash version it patches, the one package.json pins", () => {
    const pinned = (JSON.parse(readFileSync(join(REPOSITORY, "package.json"), "utf8")) as { dependencies: Record<string, string> }).dependencies["just-bash"];
    const installed = (JSON.parse(readFileSync(join(REPOSITORY, "node_modules", "just-bash", "package.json"), "utf8")) as { version: string }).version;
    expect(installed).toBe(pinned);
    expect(readFileSync(join(REPOSITORY, "patches", `just-bash+${installed}.patch`), "utf8")).toContain("dist/bundle/index.js");
  });

  it("expands literal words as bash does: plain, globbed, unmatched, with noglob, extglob, nullglob and braces", async () => {
    const script = [
      "printf '[%s]\\n' plain-word x=1 a/b:c 10.0.0.1/24",
      "printf '[%s]\\n' *.sh",
      "printf '[%s]\\n' ?.txt",
      "printf '[%s]\\n' nomatch*",
      "printf '[%s]\\n' [ab].sh",
      "set -f",
      "printf '[%s]\\n' *.sh",
      "set +f",
      "shopt -s extglob",
      "printf '[%s]\\n' @(a|c).*",
      "shopt -s nullglob",
      "printf '[%s]\\n' nomatch* end",
      "printf '[%s]\\n' a{1,2}b",
      "",
    ].join("\n");
    const bash = new Bash({ files: { "/w/a.sh": "", "/w/b.sh": "", "/w/c.txt": "", "/w/t.sh": script }, cwd: "/w", defenseInDepth: false });
    const result = await bash.exec(script);
    expect(result.stderr).toBe("");
    expect(result.stdout).toBe(["[plain-word]", "[x=1]", "[a/b:c]", "[10.0.0.1/24]", "[a.sh]", "[b.sh]", "[t.sh]", "[c.txt]", "[nomatch*]", "[a.sh]", "[b.sh]", "[*.sh]", "[a.sh]", "[c.txt]", "[end]", "[a1b]", "[a2b]", ""].join("\n"));
  });
});
