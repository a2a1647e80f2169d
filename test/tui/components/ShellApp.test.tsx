import { readFileSync } from "node:fs";
import { cleanup, render } from "ink-testing-library";
import { afterEach, describe, expect, it } from "vitest";
import { ShellApp } from "../../../src/tui/components/ShellApp.js";
import { ShellSession } from "../../../src/tui/shell-session.js";

const settle = () => new Promise((resolve) => setTimeout(resolve, 120));

afterEach(() => cleanup());

describe("netsim shell on screen", () => {
  it("the topology under the prompt grows as lines are typed, and the prompt says which namespace is entered", async () => {
    const session = new ShellSession();
    const instance = render(<ShellApp session={session} width={80} color={false} />);
    const typeLine = async (line: string) => {
      instance.stdin.write(line);
      instance.stdin.write("\r");
      await settle();
    };
    await settle();
    expect(instance.lastFrame()).toContain("root@netsim:~# █");
    await typeLine("ip netns add netns0");
    expect(instance.lastFrame()).toContain("╭─ netns0 ");
    expect(instance.lastFrame()).toContain("│ lo DOWN");
    await typeLine("ip link add veth0 type veth peer name ceth0");
    await typeLine("ip link set ceth0 netns netns0");
    expect(instance.lastFrame()).toContain("veth links:  veth0 ═ ceth0");
    await typeLine("nsenter --net=/var/run/netns/netns0 bash");
    expect(instance.lastFrame()).toContain("(netns0) root@netsim:~# █");
    await typeLine("ip addr add 172.18.0.10/16 dev ceth0");
    expect(instance.lastFrame()).toMatch(/│ ceth0 172\.18\.0\.10\/16 DOWN/);
    // Scrollback: every line typed and what it printed stays above (in <Static>).
    await typeLine("ip link set ceth0 up");
    await typeLine("ip route");
    const all = instance.frames.join("");
    expect(all).toContain("(netns0) root@netsim:~# ip route\n172.18.0.0/16 dev ceth0 proto kernel scope link src 172.18.0.10 linkdown");
    await typeLine("exit");
    expect(instance.lastFrame()).toContain("\nroot@netsim:~# █");
    instance.unmount();
  });

  it("↑ recalls the last line", async () => {
    const session = new ShellSession();
    const instance = render(<ShellApp session={session} width={80} color={false} />);
    await settle();
    instance.stdin.write("ip netns add x");
    instance.stdin.write("\r");
    await settle();
    instance.stdin.write("\u001B[A");
    await settle();
    expect(instance.lastFrame()).toContain("root@netsim:~# ip netns add x█");
    instance.unmount();
  });

  it("runs a line whose newline came in the same chunk (a paste; tmux send-keys 'ip netns add netns0' Enter)", async () => {
    const session = new ShellSession();
    const instance = render(<ShellApp session={session} width={80} color={false} />);
    await settle();
    instance.stdin.write("ip netns add netns0\r");
    await settle();
    expect(instance.lastFrame()).toContain("╭─ netns0 ");
    expect(instance.frames.join("")).toContain("root@netsim:~# ip netns add netns0\n");
    instance.unmount();
  });

  it("runs a pasted walkthrough line by line, in order, as bash does", async () => {
    const session = new ShellSession();
    const instance = render(<ShellApp session={session} width={100} color={false} />);
    await settle();
    const walkthrough = ["netns0.sh", "netns1.sh", "bridge.sh"].map((name) => readFileSync(`scenarios/walkthrough/lib/${name}`, "utf8")).join("");
    const pasted = `${walkthrough}ip netns exec netns0 ping -c 1 -W 1 172.18.0.20\n`;
    instance.stdin.write(pasted);
    for (let wait = 0; wait < 50 && !instance.frames.join("").includes("1 received"); wait++) await settle();
    const all = instance.frames.join("");
    const lines = pasted.split("\n").filter((line) => line.trim() !== "" && !line.startsWith("#"));
    let from = 0;
    for (const line of lines) {
      const at = all.indexOf(`root@netsim:~# ${line}\n`, from);
      expect(at, line).toBeGreaterThanOrEqual(from);
      from = at;
    }
    expect(all).toContain("1 packets transmitted, 1 received, 0% packet loss");
    expect(instance.lastFrame()).toMatch(/br0/);
    instance.unmount();
  });

  it("Ctrl-C cancels the line being typed and the session goes on; Ctrl-D on an empty line ends it", async () => {
    const session = new ShellSession();
    const instance = render(<ShellApp session={session} width={80} color={false} />);
    await settle();
    instance.stdin.write("ip netns add netns0\r");
    await settle();
    instance.stdin.write("ip netns del net");
    instance.stdin.write("\u0003");
    await settle();
    expect(instance.frames.join("")).toContain("root@netsim:~# ip netns del net^C");
    expect(instance.lastFrame()).toContain("root@netsim:~# █");
    instance.stdin.write("ip netns list\r");
    await settle();
    expect(instance.frames.join("")).toContain("root@netsim:~# ip netns list\nnetns0");
    expect(instance.stdin.listenerCount("readable")).toBeGreaterThan(0);
    instance.stdin.write("x\u0004");
    await settle();
    expect(instance.stdin.listenerCount("readable")).toBeGreaterThan(0);
    instance.stdin.write("\u0015\u0004");
    await settle();
    // The app exited: Ink stopped reading stdin.
    expect(instance.stdin.listenerCount("readable")).toBe(0);
  });

  it("edits as readline: ←/→, Home/End, Ctrl-A/E/U/K/W, typed in separate chunks", async () => {
    const session = new ShellSession();
    const instance = render(<ShellApp session={session} width={80} color={false} />);
    await settle();
    for (const chunk of ["ip netns ad", " x", "\u001B[D", "\u001B[D", "d", "\u001B[F", "\u0017", "y", "\u0001", "\u001B[C", "\u001B[C", "\u000B", " netns add y", "\u0005", "z"]) instance.stdin.write(chunk);
    await settle();
    // "ip netns add x" → ←← d → "ip netns addd x"... End, Ctrl-W drops "x", y, Home →→ Ctrl-K leaves "ip", then " netns add y", End, z.
    expect(instance.lastFrame()).toContain("root@netsim:~# ip netns add yz█");
    instance.stdin.write("\u0001");
    await settle();
    expect(instance.lastFrame()).toMatch(/root@netsim:~# (?:\u001B\[7m)?i(?:\u001B\[27m)?p netns add yz\n?/);
    instance.stdin.write("\u0005\u0015ip netns list\r");
    await settle();
    instance.stdin.write("\u001B[A");
    await settle();
    expect(instance.lastFrame()).toContain("root@netsim:~# ip netns list█");
    instance.unmount();
  });

  it("the prompt's ~ is where pwd says the shell is", async () => {
    const session = new ShellSession();
    const { entry } = await session.run("pwd");
    expect(entry.prompt).toContain(":~# ");
    expect(entry.output).toBe("/root\n");
  });
});
