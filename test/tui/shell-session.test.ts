import { describe, expect, it } from "vitest";
import { namespaceByName } from "../../src/net/core/net-namespace.js";
import { ShellSession } from "../../src/tui/shell-session.js";

async function type(session: ShellSession, ...lines: string[]) {
  const entries = [];
  for (const line of lines) entries.push(await session.run(line));
  return entries;
}

describe("netsim shell, line by line", () => {
  it("keeps one world across lines, and runs lines inside the namespace nsenter entered until exit", async () => {
    const session = new ShellSession();
    const entries = await type(
      session,
      "ip netns add netns0",
      "ip link add veth0 type veth peer name ceth0",
      "ip link set ceth0 netns netns0",
      "nsenter --net=/var/run/netns/netns0 bash",
      "ip link set ceth0 up",
      "ip addr add 172.18.0.10/16 dev ceth0",
      "ip route",
      "exit",
      "ip route",
    );
    expect(entries[3]!.entry).toMatchObject({ prompt: "root@netsim:~# ", output: "", exitCode: 0 });
    expect(entries[4]!.entry.prompt).toBe("(netns0) root@netsim:~# ");
    expect(entries[6]!.entry.output).toBe("172.18.0.0/16 dev ceth0 proto kernel scope link src 172.18.0.10 linkdown \n");
    expect(entries[7]).toMatchObject({ quit: false, entry: { prompt: "(netns0) root@netsim:~# " } });
    expect(entries[8]!.entry).toMatchObject({ prompt: "root@netsim:~# ", output: "" });
    const netns0 = namespaceByName(session.world, "netns0")!;
    expect([...netns0.devices.values()].find((device) => device.name === "ceth0")?.adminUp).toBe(true);
    expect((await session.run("exit")).quit).toBe(true);
  });

  it("takes `ip netns exec NS bash` as entering too, and refuses a namespace that does not exist as the tools do", async () => {
    const session = new ShellSession();
    const [added, missing, missingExec, entered] = await type(session, "ip netns add a", "nsenter --net=/var/run/netns/b bash", "ip netns exec b bash", "ip netns exec a bash");
    expect(added!.entry.exitCode).toBe(0);
    expect(missing!.entry).toMatchObject({ output: "nsenter: cannot open /var/run/netns/b: No such file or directory\n", exitCode: 1 });
    expect(missingExec!.entry).toMatchObject({ output: 'Cannot open network namespace "b": No such file or directory\n', exitCode: 1 });
    expect(entered!.entry.exitCode).toBe(0);
    expect(session.prompt()).toBe("(a) root@netsim:~# ");
  });

  it("prints the real tools' errors, and names what netsim does not model without a file name", async () => {
    const session = new ShellSession();
    const [bad, unmodelled] = await type(session, "ip route add default via 10.9.9.9", "ss -tln");
    expect(bad!.entry).toMatchObject({ output: "Error: Nexthop has invalid gateway.\n" });
    expect(bad!.entry.exitCode).not.toBe(0);
    expect(unmodelled!.entry.output).toBe('netsim: ss is not modelled (at "ss")\n');
  });
});
