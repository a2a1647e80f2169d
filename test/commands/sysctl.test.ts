import { describe, expect, it } from "vitest";
import { UnsupportedError } from "../../src/commands/command.js";
import { ip } from "../../src/commands/ip/ip.js";
import { sysctl } from "../../src/commands/sysctl.js";
import { createWorld } from "../../src/net/core/net-namespace.js";
import { runCommand, worldAfter } from "./run-command.js";

describe("sysctl (procps)", () => {
  it("echoes writes, -n prints the value, -q nothing, the slash form prints dotted", () => {
    const world = createWorld();
    expect(runCommand(sysctl, ["-w", "net.ipv4.ip_forward=1"], world).stdout).toBe("net.ipv4.ip_forward = 1\n");
    expect(runCommand(sysctl, ["-n", "net.ipv4.ip_forward"], world).stdout).toBe("1\n");
    expect(runCommand(sysctl, ["-q", "-w", "net.ipv4.ip_forward=1"], world).stdout).toBe("");
    expect(runCommand(sysctl, ["net/ipv4/ip_forward"], world).stdout).toBe("net.ipv4.ip_forward = 1\n");
    expect(runCommand(sysctl, ["net.ipv4.conf.all.accept_redirects"], world).stdout).toBe("net.ipv4.conf.all.accept_redirects = 0\n");
  });

  it("reports unknown keys, missing values and bad values with the exact texts, exit 1", () => {
    expect(runCommand(sysctl, ["-w", "net.ipv4.bogus=1"])).toEqual({ stdout: "", stderr: "sysctl: cannot stat /proc/sys/net/ipv4/bogus: No such file or directory\n", exitCode: 1 });
    expect(runCommand(sysctl, ["net.ipv4.bogus"])).toEqual({ stdout: "", stderr: "sysctl: cannot stat /proc/sys/net/ipv4/bogus: No such file or directory\n", exitCode: 1 });
    expect(runCommand(sysctl, ["-w", "net.ipv4.ip_forward"])).toEqual({ stdout: "", stderr: "sysctl: command line(0): invalid syntax, continuing...\n", exitCode: 1 });
    expect(runCommand(sysctl, ["-w", "net.ipv4.ip_forward=abc"])).toEqual({ stdout: "", stderr: 'sysctl: setting key "net.ipv4.ip_forward": Invalid argument\n', exitCode: 1 });
  });

  it("disable_ipv6 on all removes the IPv6 addresses from every device and from new ones", () => {
    const world = worldAfter(ip, ["ip link add v0 type veth peer name c0", "ip link set v0 up", "ip link set c0 up"]);
    expect(runCommand(ip, ["addr"], world).stdout).toContain("inet6");
    runCommand(sysctl, ["-w", "net.ipv6.conf.all.disable_ipv6=1", "net.ipv6.conf.default.disable_ipv6=1"], world);
    expect(runCommand(ip, ["addr"], world).stdout).not.toContain("inet6");
    expect(runCommand(ip, ["route", "show", "table", "all"], world).stdout).not.toContain("::");
  });

  it("refuses to write a key netsim only reads", () => {
    expect(() => runCommand(sysctl, ["-w", "net.ipv4.conf.all.accept_redirects=1"])).toThrow(UnsupportedError);
  });
});
