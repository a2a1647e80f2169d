// nc probes: a background listener, connects that succeed, are refused or
// time out, the -v texts openbsd nc prints, UDP's quirks, and the handshake
// packets NAT and filters see in both directions.
import { describe, expect, it } from "vitest";
import { recordOf, simulate, TWO_HOSTS } from "../support/simulate.js";

async function probe(setup: string, command: string) {
  const run = await simulate(`${TWO_HOSTS}${setup}\n${command}\n`);
  expect(run.problems).toEqual([]);
  return { run, record: recordOf(run, command.split("\n").pop()!.replace(/^ip netns exec \S+ /, "")) };
}

describe("nc", () => {
  it.each([
    ["a listener answers", "ip netns exec b nc -lk 80 &", "ip netns exec a nc -z -v -w 1 10.0.0.2 80", 0, "Connection to 10.0.0.2 80 port [tcp/http] succeeded!\n", "connected"],
    ["no listener: a reset", "", "ip netns exec a nc -z -v -w 1 10.0.0.2 81", 1, "nc: connect to 10.0.0.2 port 81 (tcp) failed: Connection refused\n", "refused"],
    ["dropped: -w runs out", "ip netns exec b iptables -A INPUT -p tcp -j DROP", "ip netns exec a nc -z -v -w 2 10.0.0.2 80", 1, "nc: connect to 10.0.0.2 port 80 (tcp) timed out: Operation now in progress\n", "timeout"],
    ["REJECT --reject-with tcp-reset", "ip netns exec b iptables -A INPUT -p tcp --dport 54 -j REJECT --reject-with tcp-reset", "ip netns exec a nc -z -v -w 1 10.0.0.2 54", 1, "nc: connect to 10.0.0.2 port 54 (tcp) failed: Connection refused\n", "refused"],
    ["REJECT (port unreachable) refuses a TCP connect too", "ip netns exec b iptables -A INPUT -p tcp -j REJECT", "ip netns exec a nc -z -v -w 1 10.0.0.2 55", 1, "nc: connect to 10.0.0.2 port 55 (tcp) failed: Connection refused\n", "refused"],
    ["no route", "", "ip netns exec a nc -z -v -w 1 10.99.0.1 80", 1, "nc: connect to 10.99.0.1 port 80 (tcp) failed: Network is unreachable\n", "unreachable"],
    ["UDP -v: a listener", "ip netns exec b nc -lu 58 &", "ip netns exec a nc -u -z -v -w 1 10.0.0.2 58", 0, "Connection to 10.0.0.2 58 port [udp/*] succeeded!\n", "connected"],
    ["UDP -v: port unreachable fails silently", "", "ip netns exec a nc -u -z -v -w 1 10.0.0.2 59", 1, "", "refused"],
    ["UDP without -v sends nothing and succeeds", "ip netns exec b iptables -A INPUT -p udp -j REJECT", "ip netns exec a nc -u -z -w 1 10.0.0.2 53", 0, "", "connected"],
  ])("%s", async (_name, setup, command, exitCode, stderr, outcome) => {
    const { record } = await probe(setup, command);
    expect(record.exitCode).toBe(exitCode);
    expect(record.stderr).toBe(stderr);
    expect(record.probe?.outcome).toBe(outcome);
  });

  it("without -v prints nothing, and is classified all the same", async () => {
    const { record } = await probe("", "ip netns exec a nc -z -w 1 10.0.0.2 81");
    expect(record).toMatchObject({ stdout: "", stderr: "", exitCode: 1, probe: { tool: "nc", outcome: "refused" } });
  });

  it("retransmits the SYN after 1 s and 2 s more, never when -w runs out", async () => {
    const { run } = await probe("ip netns exec b iptables -A INPUT -p tcp --dport 56 -j DROP", "ip netns exec a nc -z -w 2 10.0.0.2 56\nip netns exec a nc -z -w 1 10.0.0.2 56\nip netns exec b iptables -L INPUT -v -n -x");
    expect(recordOf(run, "iptables -L INPUT -v -n -x").stdout).toContain("       3      180 DROP       6    --  *      *       0.0.0.0/0            0.0.0.0/0            tcp dpt:56\n");
  });

  it("a listener without -k takes one connection", async () => {
    const { run } = await probe("ip netns exec b nc -l 80 &", "ip netns exec a nc -z -w 1 10.0.0.2 80\nip netns exec a nc -z -w 1 10.0.0.2 80");
    const outcomes = run.commands.filter((record) => record.argv.includes("-z")).map((record) => record.probe?.outcome);
    expect(outcomes).toEqual(["connected", "refused"]);
  });

  it("binds a second listener on the port (OpenBSD nc sets SO_REUSEPORT), and refuses data transfer by name", async () => {
    const { record } = await probe("ip netns exec b nc -lk 80 &", "ip netns exec b nc -lk 80");
    expect(record).toMatchObject({ stderr: "", exitCode: 0 });
    const run = await simulate(`${TWO_HOSTS}ip netns exec a nc 10.0.0.2 80\n`);
    expect(run.problems.map((problem) => problem.word)).toEqual(["nc"]);
  });
});
