// The chain walk: first match wins, jumps return to the caller, goto does
// not come back, RETURN in a built-in chain (or the end of a goto'd chain)
// leaves the policy to decide; each matching rule counts the packet.
import { describe, expect, it } from "vitest";
import { recordOf, simulate, TWO_HOSTS } from "../../support/simulate.js";

async function pingWith(rules: string, extra = "") {
  const run = await simulate(`${TWO_HOSTS}${rules}\nip netns exec a ping -c 1 -W 1 10.0.0.2\n${extra}`);
  expect(run.problems).toEqual([]);
  return { run, outcome: recordOf(run, "ping -c 1 -W 1 10.0.0.2").probe?.outcome };
}

describe("ipt_do_table", () => {
  it.each([
    ["policy ACCEPT, no rules", "", "reply"],
    ["policy DROP", "ip netns exec b iptables -P INPUT DROP", "no-reply"],
    ["first match wins", "ip netns exec b iptables -A INPUT -p icmp -j ACCEPT\nip netns exec b iptables -A INPUT -p icmp -j DROP", "reply"],
    ["a jump returns to the caller at the end of the chain", "ip netns exec b iptables -N U\nip netns exec b iptables -A U -s 10.9.9.9 -j ACCEPT\nip netns exec b iptables -A INPUT -j U\nip netns exec b iptables -A INPUT -j DROP", "no-reply"],
    ["RETURN goes back to the caller", "ip netns exec b iptables -N U\nip netns exec b iptables -A U -j RETURN\nip netns exec b iptables -A U -j ACCEPT\nip netns exec b iptables -A INPUT -j U\nip netns exec b iptables -A INPUT -j DROP", "no-reply"],
    ["a decision inside a user chain is final", "ip netns exec b iptables -N U\nip netns exec b iptables -A U -j ACCEPT\nip netns exec b iptables -A INPUT -j U\nip netns exec b iptables -A INPUT -j DROP", "reply"],
    ["goto does not come back: its end means the policy", "ip netns exec b iptables -N U\nip netns exec b iptables -A INPUT -g U\nip netns exec b iptables -A INPUT -j DROP", "reply"],
    ["RETURN in a built-in chain applies the policy", "ip netns exec b iptables -P INPUT DROP\nip netns exec b iptables -A INPUT -j RETURN\nip netns exec b iptables -A INPUT -j ACCEPT", "no-reply"],
    ["! -s inverts", "ip netns exec b iptables -A INPUT ! -s 10.0.0.1 -j DROP", "reply"],
    ["-i matches the ingress device", "ip netns exec b iptables -A INPUT -i vb -j DROP", "no-reply"],
    ["-i with a + wildcard", "ip netns exec b iptables -A INPUT -i v+ -j DROP", "no-reply"],
    ["OUTPUT -o on the way out", "ip netns exec a iptables -A OUTPUT -o va -p icmp -j DROP", "no-reply"],
    ["REJECT answers with port unreachable", "ip netns exec b iptables -A INPUT -p icmp -j REJECT", "no-reply"],
    ["-m conntrack --ctstate NEW", "ip netns exec b iptables -A INPUT -m conntrack --ctstate NEW -j DROP", "no-reply"],
    ["-m state --state ESTABLISHED lets replies in", "ip netns exec a iptables -A INPUT -m state --state ESTABLISHED -j ACCEPT\nip netns exec a iptables -P INPUT DROP", "reply"],
    ["-m addrtype --dst-type LOCAL", "ip netns exec b iptables -A INPUT -m addrtype --dst-type LOCAL -j DROP", "no-reply"],
    ["-m addrtype ! --dst-type LOCAL", "ip netns exec b iptables -A INPUT -m addrtype ! --dst-type LOCAL -j DROP", "reply"],
    ["-m addrtype --limit-iface-in checks the ingress device's addresses", "ip netns exec b iptables -A INPUT -m addrtype --dst-type LOCAL --limit-iface-in -j DROP", "no-reply"],
    ["-m mark after MARK", "ip netns exec a iptables -t mangle -A OUTPUT -j MARK --set-mark 0x2\nip netns exec a iptables -A OUTPUT -m mark --mark 0x2 -j DROP", "no-reply"],
    ["-m mark with a mask that does not fit", "ip netns exec a iptables -t mangle -A OUTPUT -j MARK --set-mark 0x2\nip netns exec a iptables -A OUTPUT -m mark --mark 0x1/0x1 -j DROP", "reply"],
    ["-m comment matches anything", "ip netns exec b iptables -A INPUT -m comment --comment x -j DROP", "no-reply"],
    ["-m physdev never matches a routed packet", "ip netns exec b iptables -A INPUT -m physdev --physdev-in vb -j DROP", "reply"],
    ["-p icmp --icmp-type echo-request", "ip netns exec b iptables -A INPUT -p icmp --icmp-type echo-request -j DROP", "no-reply"],
    ["-p icmp --icmp-type echo-reply does not match a request", "ip netns exec b iptables -A INPUT -p icmp --icmp-type echo-reply -j DROP", "reply"],
  ])("%s", async (_name, rules, expected) => {
    expect((await pingWith(rules)).outcome).toBe(expected);
  });

  it("counts every rule that matched, jumps and RETURNs included", async () => {
    const { run } = await pingWith(
      "ip netns exec b iptables -N U\nip netns exec b iptables -A U -j RETURN\nip netns exec b iptables -A INPUT -j U\nip netns exec b iptables -A INPUT -s 10.9.9.9 -j DROP\nip netns exec b iptables -A INPUT -j ACCEPT",
      "ip netns exec b iptables -L -v -n\n",
    );
    const listing = recordOf(run, "iptables -L -v -n").stdout;
    expect(listing).toContain("    1    84 U          0    --  *      *       0.0.0.0/0            0.0.0.0/0           \n");
    expect(listing).toContain("    0     0 DROP       0    --  *      *       10.9.9.9             0.0.0.0/0           \n");
    expect(listing).toContain("    1    84 ACCEPT     0    --  *      *       0.0.0.0/0            0.0.0.0/0           \n");
    expect(listing).toContain("    1    84 RETURN     0    --  *      *       0.0.0.0/0            0.0.0.0/0           \n");
  });

  it("traces each rule it evaluated, matched or not, and the policy", async () => {
    const run = await simulate(`${TWO_HOSTS}ip netns exec b iptables -A INPUT -s 10.9.9.9 -j ACCEPT\nip netns exec b iptables -P INPUT DROP\nip netns exec a ping -c 1 -W 1 10.0.0.2\n`, { tracing: true });
    const steps = run.traces[0]!.steps.filter((step) => step.stage === "nf_hook");
    expect(steps.map((step) => step.why)).toEqual([
      "INPUT filter/INPUT: rule 1 does not match (source 10.0.0.1 is not in 10.9.9.9/32)",
      "INPUT filter/INPUT: no rule decided: the chain's policy DROP applies",
    ]);
    expect(steps[1]).toMatchObject({ verdict: "drop", dropReason: "NETFILTER_DROP", decision: { kind: "netfilter", table: "filter", chain: "INPUT", target: "DROP" } });
    expect(steps[0]!.decision).toMatchObject({ ruleNumber: 1, ruleText: "-A INPUT -s 10.9.9.9/32 -j ACCEPT" });
  });
});
