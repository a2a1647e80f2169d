// The scenario shell's file system, built by copying the layout just-bash
// writes into every new interpreter, must be the one the interpreter would
// have built itself: the same entries, in the same order, with the same
// types, modes and contents.
import { Bash, defineCommand, type IFileSystem } from "just-bash";
import { describe, expect, it } from "vitest";
import { createShell, FILE_SYSTEM_BYTES, ShellFileSystem, type ShellOptions } from "../../src/scenario/shell.js";

const commands = () => ["ip", "ping", "sleep", "__netsim_example"].map((name) => defineCommand(name, async () => ({ stdout: `${name}\n`, stderr: "", exitCode: 0 })));

async function describeFileSystem(fileSystem: IFileSystem): Promise<string[]> {
  const lines: string[] = [];
  for (const path of fileSystem.getAllPaths()) {
    const status = await fileSystem.lstat(path);
    const kind = status.isSymbolicLink ? "symlink" : status.isDirectory ? "directory" : "file";
    const content = kind === "file" ? await fileSystem.readFile(path) : kind === "symlink" ? await fileSystem.readlink(path) : "";
    lines.push(`${path} ${kind} ${status.mode.toString(8)} ${JSON.stringify(content)}`);
  }
  return lines;
}

function options(files: ShellOptions["files"], cwd: string): ShellOptions {
  return { files, cwd, customCommands: commands(), defenseInDepth: false };
}

function ordinaryShell({ files, ...rest }: ShellOptions): Bash {
  return new Bash({ ...rest, files, executionLimits: { maxFileSystemBytes: FILE_SYSTEM_BYTES } });
}

describe("scenario shell", () => {
  it("copies the interpreter's layout into a file system equal to the one it builds itself", async () => {
    const files = { "/work/s/main.sh": "echo main\n", "/work/s/lib/prelude.sh": () => "echo prelude\n", "/work/notes.txt": "x", "/usr/share/x.sh": "echo x\n" };
    for (let round = 0; round < 2; round++) {
      const fast = createShell(options(files, "/work/s"));
      expect(fast.fs).toBeInstanceOf(ShellFileSystem);
      expect(await describeFileSystem(fast.fs)).toEqual(await describeFileSystem(ordinaryShell(options(files, "/work/s")).fs));
    }
  });

  it("gives each shell its own copy: one run's changes are not the next one's", async () => {
    const files = { "/s/main.sh": "" };
    const first = createShell(options(files, "/s"));
    const written = await first.exec("echo changed > /dev/null; echo new > /bin/ip; chmod 700 /usr/bin/ping; echo made > /tmp-file; cat /bin/ip");
    expect(written.stdout).toBe("new\n");
    const second = createShell(options(files, "/s"));
    expect(await describeFileSystem(second.fs)).toEqual(await describeFileSystem(ordinaryShell(options(files, "/s")).fs));
    expect((await second.exec("cat /bin/ip; ls /tmp-file")).stdout).toBe("#!/bin/bash\n# Built-in command: ip\n");
  });

  it("runs commands and scripts as the ordinary interpreter does", async () => {
    const files = { "/s/main.sh": "ip link\n", "/s/lib.sh": () => "echo from lib\n" };
    const script = "source ./lib.sh; ip a; sleep 0; which ping; ls /usr/bin | grep -c .; type ip";
    const fast = await createShell(options(files, "/s")).exec(script);
    const ordinary = await ordinaryShell(options(files, "/s")).exec(script);
    expect(fast).toEqual(ordinary);
    expect(fast.stdout).toContain("from lib\nip\n");
  });

  it("leaves the layout to the interpreter when a scenario file stands where the layout puts one", async () => {
    const files = { "/bin/ip": "mine\n", "/s/main.sh": "" };
    const shell = createShell(options(files, "/s"));
    expect(shell.fs).not.toBeInstanceOf(ShellFileSystem);
    expect(await describeFileSystem(shell.fs)).toEqual(await describeFileSystem(ordinaryShell(options(files, "/s")).fs));
  });
});
