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
});
