// The icmp match's -L text with names (print_icmptype() without -n, which
// the .t suite's `-L -n` does not reach), as iptables 1.8.9 (nf_tables)
// listed these rules in the kernel sandbox.
import { describe, expect, it } from "vitest";
import { recordOf, simulate } from "../../support/simulate.js";

const RULES = `
iptables -A INPUT -p icmp --icmp-type 200
iptables -A INPUT -p icmp ! --icmp-type 200
iptables -A INPUT -p icmp --icmp-type 3/1:2
iptables -A INPUT -p icmp ! --icmp-type 3/1:2
iptables -A INPUT -p icmp --icmp-type 3/7
iptables -A INPUT -p icmp ! --icmp-type 3/7
iptables -A INPUT -p icmp --icmp-type any
iptables -A INPUT -p icmp ! --icmp-type echo-request
iptables -A INPUT -p icmp --icmp-type 3/0:255
iptables -A INPUT -p icmp --icmp-type ttl-zero-during-r
iptables -A INPUT -p icmp --icmp-type tos-host-redirect
iptables -A INPUT -p icmp --icmp-type pong
`;

async function listing(command: string): Promise<string> {
  const run = await simulate(`${RULES}${command}\n`);
  expect(run.problems).toEqual([]);
  return recordOf(run, command).stdout;
}

describe("libipt_icmp print", () => {
  it("names a type and code the icmp_codes table has, else prints type and code as -n does", async () => {
    expect(await listing("iptables -L INPUT")).toBe(
      [
        "Chain INPUT (policy ACCEPT)",
        "target     prot opt source               destination         ",
        "           icmp --  anywhere             anywhere             icmptype 200",
        "           icmp --  anywhere             anywhere             icmp !type 200",
        "           icmp --  anywhere             anywhere             icmptype 3 codes 1-2",
        "           icmp --  anywhere             anywhere             icmp !type 3 codes 1-2",
        "           icmp --  anywhere             anywhere             icmp host-unknown",
        "           icmp --  anywhere             anywhere             icmp !host-unknown",
        "           icmp --  anywhere             anywhere             icmp any",
        "           icmp --  anywhere             anywhere             icmp !echo-request",
        "           icmp --  anywhere             anywhere             icmp destination-unreachable",
        "           icmp --  anywhere             anywhere             icmp ttl-zero-during-reassembly",
        "           icmp --  anywhere             anywhere             icmp TOS-host-redirect",
        "           icmp --  anywhere             anywhere             icmp echo-reply",
        "",
      ].join("\n"),
    );
  });

  it("prints numbers with -n", async () => {
    expect(await listing("iptables -L INPUT -n")).toBe(
      [
        "Chain INPUT (policy ACCEPT)",
        "target     prot opt source               destination         ",
        "           1    --  0.0.0.0/0            0.0.0.0/0            icmptype 200",
        "           1    --  0.0.0.0/0            0.0.0.0/0            icmp !type 200",
        "           1    --  0.0.0.0/0            0.0.0.0/0            icmptype 3 codes 1-2",
        "           1    --  0.0.0.0/0            0.0.0.0/0            icmp !type 3 codes 1-2",
        "           1    --  0.0.0.0/0            0.0.0.0/0            icmptype 3 code 7",
        "           1    --  0.0.0.0/0            0.0.0.0/0            icmp !type 3 code 7",
        "           1    --  0.0.0.0/0            0.0.0.0/0            icmptype 255",
        "           1    --  0.0.0.0/0            0.0.0.0/0            icmp !type 8",
        "           1    --  0.0.0.0/0            0.0.0.0/0            icmptype 3",
        "           1    --  0.0.0.0/0            0.0.0.0/0            icmptype 11 code 1",
        "           1    --  0.0.0.0/0            0.0.0.0/0            icmptype 5 code 3",
        "           1    --  0.0.0.0/0            0.0.0.0/0            icmptype 0",
        "",
      ].join("\n"),
    );
  });
});
