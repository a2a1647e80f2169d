// The check before the run (src/scenario/static-check.ts): every command and
// option of the main file netsim cannot run is listed in one run, found by the
// commands' own parsers on the words the text fixes; the run stops at the first.
import { describe, expect, it } from "vitest";
import { ScenarioSimulator } from "../../src/scenario/runner.js";

const run = (text: string) => new ScenarioSimulator({ files: { "/s/main.sh": text } }).run("/s/main.sh");

describe("the check before the run", () => {
  it("lists three unmodelled options on three lines in one run, and stops at the first", async () => {
    const result = await run(["ip netns add n1", "ip link add vx0 type vxlan id 42", "ip netns add n2", "iptables -A INPUT -m u32 --u32 '0>>22&0x3C@4=0x29' -j DROP", "ip netns exec n1 nc -s 10.0.0.1 -z 10.0.0.2 80", ""].join("\n"));
    expect(result.problems.map((problem) => problem.message)).toEqual([
      '/s/main.sh:2: netsim: link type "vxlan" is not modelled (at "vxlan")',
      '/s/main.sh:4: netsim: iptables match "u32" is not modelled (at "u32")',
      '/s/main.sh:5: netsim: nc -s is not modelled (at "-s")',
    ]);
    // No networking command runs after the first refused one.
    expect(result.commands.map((record) => record.argv.join(" "))).toEqual(["ip netns add n1"]);
  });

  it("finds the forms of conntrack, tcpdump, ipset and ping, through sudo and nsenter, in line order with the unmodelled commands", async () => {
    const result = await run(
      ["conntrack -E", "ss -tln", "tcpdump -i eth0 -v", "sudo ipset create s hash:mac", "nsenter --net=/var/run/netns/n1 ping -c 1 -f 10.0.0.1", "ip -batch cmds", "curl -k http://10.0.0.1/", "socat - TCP:10.0.0.1:80,sndbuf=1", "iptables-save -v", "brctl setfd br0 2", "sysctl -a", ""].join("\n"),
    );
    expect(result.problems.map((problem) => [problem.location?.line, problem.word])).toEqual([
      [1, "-E"],
      [2, "ss"],
      [3, "-v"],
      [4, "hash:mac"],
      [5, "-f"],
      [6, "-batch"],
      [7, "-k"],
      [8, "sndbuf"],
      [9, "-v"],
      [10, "setfd"],
      [11, "-a"],
    ]);
  });

  it("says nothing of a command with a word only the run knows, and lists a refused form once when the run reaches it", async () => {
    const result = await run(['TYPE=vxlan', 'ip link add vx0 type "$TYPE"', "ip link add vx1 type $(echo vlan)", "tcpdump -i lo -w 'x.pcap'", ""].join("\n"));
    // Lines 2 and 3 depend on the run: only line 2, which runs first, is refused, where it runs.
    expect(result.problems.map((problem) => [problem.location?.line, problem.word])).toEqual([
      [4, "-w"],
      [2, "vxlan"],
    ]);
  });

  it("lists nothing for a script netsim runs whole", async () => {
    const result = await run(["ip netns add n1", "ip -n n1 link set lo up", "sudo ip netns exec n1 ping -c 1 -W 1 127.0.0.1   # expect: reply", "iptables -A INPUT -p tcp --dport 22 -j ACCEPT", "conntrack -L", ""].join("\n"));
    expect(result.problems).toEqual([]);
    expect(result.exitCode).toBe(0);
  });
});
