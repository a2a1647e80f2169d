// sudo as root: the forms that run the command in place, and the ones refused by name.
import { describe, expect, it } from "vitest";
import { UnsupportedError, type CommandEnvironment } from "../../src/commands/command.js";
import { sudo } from "../../src/commands/sudo.js";
import { createWorld, rootNamespace } from "../../src/net/core/net-namespace.js";
import { runCommand } from "./run-command.js";

function environment(stdin = ""): CommandEnvironment {
  const world = createWorld();
  return { world, namespace: rootNamespace(world), tracing: false, stdin, commandText: "sudo" };
}

describe("sudo", () => {
  it("runs the command in the same namespace, whatever harmless options come first", () => {
    for (const argv of [["ip", "link"], ["-E", "ip", "link"], ["-H", "-n", "ip", "link"], ["-En", "ip", "link"], ["-u", "root", "ip", "link"], ["-uroot", "ip", "link"], ["--", "ip", "link"]]) {
      const env = environment();
      const outcome = sudo(argv, env);
      expect(outcome).toEqual({ kind: "exec", namespace: env.namespace, argv: ["ip", "link"] });
    }
    expect(sudo(["bash", "-c", "ip link"], environment())).toMatchObject({ kind: "exec", argv: ["bash", "-c", "ip link"] });
  });
  it("refuses what would run as someone else or differently", () => {
    for (const argv of [["-u", "nobody", "ip", "link"], ["-i"], ["-s", "ip"], ["FOO=1", "ip", "link"], ["-b", "ip", "link"], ["--login"]]) {
      expect(() => sudo(argv, environment())).toThrow(UnsupportedError);
    }
  });
  it("prints sudo's own usage errors (sudo 1.9.13p3)", () => {
    expect(runCommand(sudo, []).stderr).toMatch(/^usage: sudo -h \| -K \| -k \| -V\n/);
    expect(runCommand(sudo, []).exitCode).toBe(1);
    expect(runCommand(sudo, ["-E"]).exitCode).toBe(1);
    expect(runCommand(sudo, ["-x", "ip"]).stderr).toMatch(/^sudo: invalid option -- 'x'\nusage:/);
    expect(runCommand(sudo, ["-u"]).stderr).toMatch(/^sudo: option requires an argument -- 'u'\nusage:/);
  });
  it("tee into /proc/sys writes the key and echoes its input", () => {
    const env = environment("1\n");
    const outcome = sudo(["tee", "/proc/sys/net/ipv4/ip_forward"], env);
    expect(outcome).toMatchObject({ kind: "done", stdout: "1\n", exitCode: 0 });
    expect(env.namespace.sysctl.confAll.forwarding).toBe(true);
    expect(sudo(["tee", "/proc/sys/net/ipv4/nosuch"], environment("1\n"))).toMatchObject({ stderr: "tee: /proc/sys/net/ipv4/nosuch: No such file or directory\n", exitCode: 1 });
  });
});
