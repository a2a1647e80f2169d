import { describe, expect, it } from "vitest";
import { UnsupportedError } from "../../../src/commands/command.js";
import { ip } from "../../../src/commands/ip/ip.js";
import { runCommand, worldAfter } from "../run-command.js";

const error = (stderr: string, exitCode: number) => ({ stdout: "", stderr, exitCode });

describe("ip: global options and objects (ip/ip.c)", () => {
  it("prints the usage for no object, with or without options, exit 255", () => {
    for (const argv of [[], ["-j"]]) {
      const printed = runCommand(ip, argv);
      expect(printed.exitCode).toBe(255);
      expect(printed.stderr.startsWith("Usage: ip [ OPTIONS ] OBJECT { COMMAND | help }\n")).toBe(true);
    }
  });

  it("names an unknown object, exit 1", () => {
    expect(runCommand(ip, ["foo"])).toEqual(error('Object "foo" is unknown, try "ip help".\n', 1));
  });

  it("refuses -n with a namespace that does not exist, exit 255", () => {
    expect(runCommand(ip, ["-n", "nosuch", "link"])).toEqual(error('Cannot open network namespace "nosuch": No such file or directory\n', 255));
  });

  it("matches objects by prefix in iproute2's table order: t is tunnel (empty), m is maddress", () => {
    expect(runCommand(ip, ["t"])).toEqual({ stdout: "", stderr: "", exitCode: 0 });
    expect(runCommand(ip, ["m"]).stdout).toBe("1:\tlo\n\tinet  224.0.0.1\n\tinet6 ff02::1\n\tinet6 ff01::1\n");
    expect(runCommand(ip, ["ne"]).exitCode).toBe(0);
  });

  it("-p lays -j output out as iproute2's pretty writer does", () => {
    const world = worldAfter(ip, ["ip link add veth0 address 02:00:00:00:00:01 type veth peer name ceth0 address 02:00:00:00:00:02"]);
    const printed = runCommand(ip, ["-j", "-p", "link", "show", "lo"], world);
    expect(printed.stdout).toBe(
      '[ {\n        "ifindex": 1,\n        "ifname": "lo",\n        "flags": [ "LOOPBACK","UP","LOWER_UP" ],\n        "mtu": 65536,\n        "qdisc": "noqueue",\n        "operstate": "UNKNOWN",\n' +
        '        "linkmode": "DEFAULT",\n        "group": "default",\n        "txqlen": 1000,\n        "link_type": "loopback",\n        "address": "00:00:00:00:00:00",\n        "broadcast": "00:00:00:00:00:00"\n    } ]\n',
    );
  });

  it("-c colours names, MACs, addresses and the operstate even when not on a terminal", () => {
    const printed = runCommand(ip, ["-c", "addr", "show", "lo"]);
    expect(printed.stdout.split("\n")[0]).toBe("1: \x1b[36mlo: \x1b[0m<LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN group default qlen 1000");
    expect(printed.stdout).toContain("    inet \x1b[35m127.0.0.1\x1b[0m/8 scope host lo\n");
    expect(printed.stdout).toContain("    inet6 \x1b[34m::1\x1b[0m/128 scope host \n");
  });

  it("refuses an option it does not know by name", () => {
    expect(() => runCommand(ip, ["-Q", "link"])).toThrow(UnsupportedError);
  });
});
