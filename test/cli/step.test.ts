// `netsim step` as a user runs it, without a terminal: the built command prints the walk as text.
import { describe, expect, it } from "vitest";
import { runNetsim } from "../support/netsim-cli.js";
import { colourWanted } from "../../src/cli/step.js";


function netsim(...args: string[]) {
  return netsimWithInput("", ...args);
}

function netsimWithInput(input: string, ...args: string[]) {
  return runNetsim(args, { input });
}

describe("netsim step", () => {

  it("prints the walk as text when stdout is not a terminal, exit 0 when every expectation held", () => {
    const result = netsim("step", "scenarios/walkthrough/06-default-route.sh");
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^netsim step scenarios\/walkthrough\/06-default-route\.sh: \d+ commands\n/);
    expect(result.stdout).toContain("] ip netns exec netns0 ip route add default via 172.18.0.1    (scenarios/walkthrough/06-default-route.sh:9)\n");
    expect(result.stdout).toContain("      sysctl net.ipv4.conf.br0.forwarding = 0\n");
    expect(result.stdout).toContain("  outcome: no-reply\n  why: the root namespace receives the packet on br0 but does not forward it: net.ipv4.ip_forward is 0 there");
    expect(result.stdout).not.toContain("\u001B[");
  });

  it("refuses a missing file and a stray option, exit 2", () => {
    const missing = netsim("step", "nope.sh");
    expect(missing.status).toBe(2);
    expect(missing.stderr).toBe("netsim step: nope.sh: No such file or directory\n");
    const option = netsim("step", "--bogus", "scenarios/walkthrough/01-netns-veth.sh");
    expect(option.status).toBe(2);
    expect(option.stderr).toBe('netsim step: unknown option "--bogus"\n');
    expect(netsim("step").stderr).toBe("netsim step: give one scenario file\n");
  });

  it("netsim shell reads lines from a pipe, echoes each after its prompt, and follows nsenter and exit", () => {
    const input = ["ip netns add netns0", "nsenter --net=/var/run/netns/netns0 bash", "ip link set lo up", "ip -br link", "exit", "ip netns exec netns0 ip -br link"].join("\n");
    const result = netsimWithInput(`${input}\n`, "shell");
    expect(result.status).toBe(0);
    expect(result.stdout).toBe(
      [
        "root@netsim:~# ip netns add netns0",
        "root@netsim:~# nsenter --net=/var/run/netns/netns0 bash",
        "(netns0) root@netsim:~# ip link set lo up",
        "(netns0) root@netsim:~# ip -br link",
        "lo               UNKNOWN        00:00:00:00:00:00 <LOOPBACK,UP,LOWER_UP> ",
        "(netns0) root@netsim:~# exit",
        "root@netsim:~# ip netns exec netns0 ip -br link",
        "lo               UNKNOWN        00:00:00:00:00:00 <LOOPBACK,UP,LOWER_UP> ",
        "",
      ].join("\n"),
    );
  });

  it("is in the usage", () => {
    expect(netsim("help").stdout).toContain("netsim step [--text] FILE");
    expect(netsim("help").stdout).toContain("netsim shell");
  });

  it("turns colour off for any NO_COLOR but the empty one (no-color.org)", () => {
    expect(colourWanted({})).toBe(true);
    expect(colourWanted({ NO_COLOR: "" })).toBe(true);
    expect(colourWanted({ NO_COLOR: "1" })).toBe(false);
  });
});
