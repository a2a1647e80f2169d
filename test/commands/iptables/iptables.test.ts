// iptables command forms, listings and error texts, as iptables 1.8.9
// (nf_tables) printed them in kernel-sandbox experiments.
import { describe, expect, it } from "vitest";
import { recordOf, simulate, TWO_HOSTS } from "../../support/simulate.js";

const TRY = "Try `iptables -h' or 'iptables --help' for more information.\n";

async function output(script: string, command: string) {
  const run = await simulate(script);
  expect(run.problems).toEqual([]);
  const record = recordOf(run, command);
  return { stdout: record.stdout, stderr: record.stderr, exitCode: record.exitCode };
}

const RULES = `
iptables -N DOCKER-USER
iptables -A DOCKER-USER -j RETURN
iptables -A FORWARD -j DOCKER-USER
iptables -A FORWARD -o br0 -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT
iptables -A FORWARD -i br0 ! -o br0 -j ACCEPT
iptables -A FORWARD -p tcp -m multiport --dports 80,443 -m comment --comment "web ports" -j ACCEPT
iptables -A INPUT -p udp --dport 53 -j REJECT
iptables -A INPUT -p tcp --dport 54 -j REJECT --reject-with tcp-reset
iptables -A INPUT -s 10.0.0.0/8 -d 10.1.0.0/16 -m state --state NEW -j DROP
iptables -A INPUT -m addrtype --dst-type LOCAL --limit-iface-in -j ACCEPT
iptables -A INPUT -m physdev --physdev-in veth0 --physdev-is-bridged -j ACCEPT
iptables -A INPUT -m mark --mark 0x1 -j ACCEPT
iptables -A INPUT -p icmp --icmp-type echo-request -j ACCEPT
iptables -A INPUT ! -p tcp -g DOCKER-USER
iptables -A INPUT -p tcp --dport 56 -j DROP
iptables -t nat -A PREROUTING -p tcp --dport 80 -j REDIRECT --to-ports 8080
iptables -t nat -A POSTROUTING -s 172.18.0.0/16 ! -o br0 -j MASQUERADE
iptables -t nat -A POSTROUTING -o eth0 -p udp -j SNAT --to-source 192.168.0.100:1000-2000
iptables -t nat -A OUTPUT -j MARK --set-mark 0x5
`;

describe("iptables -S and -L", () => {
  it("prints rules in the save form, user chains after the policies", async () => {
    const { stdout } = await output(`${RULES}iptables -S`, "iptables -S");
    expect(stdout).toBe(
      [
        "-P INPUT ACCEPT",
        "-P FORWARD ACCEPT",
        "-P OUTPUT ACCEPT",
        "-N DOCKER-USER",
        "-A INPUT -p udp -m udp --dport 53 -j REJECT --reject-with icmp-port-unreachable",
        "-A INPUT -p tcp -m tcp --dport 54 -j REJECT --reject-with tcp-reset",
        "-A INPUT -s 10.0.0.0/8 -d 10.1.0.0/16 -m state --state NEW -j DROP",
        "-A INPUT -m addrtype --dst-type LOCAL --limit-iface-in -j ACCEPT",
        "-A INPUT -m physdev --physdev-in veth0 --physdev-is-bridged -j ACCEPT",
        "-A INPUT -m mark --mark 0x1 -j ACCEPT",
        "-A INPUT -p icmp -m icmp --icmp-type 8 -j ACCEPT",
        "-A INPUT ! -p tcp -g DOCKER-USER",
        "-A INPUT -p tcp -m tcp --dport 56 -j DROP",
        "-A FORWARD -j DOCKER-USER",
        "-A FORWARD -o br0 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT",
        "-A FORWARD -i br0 ! -o br0 -j ACCEPT",
        '-A FORWARD -p tcp -m multiport --dports 80,443 -m comment --comment "web ports" -j ACCEPT',
        "-A DOCKER-USER -j RETURN",
        "",
      ].join("\n"),
    );
    const nat = await output(`${RULES}iptables -t nat -S`, "iptables -t nat -S");
    expect(nat.stdout).toBe(
      [
        "-P PREROUTING ACCEPT",
        "-P INPUT ACCEPT",
        "-P OUTPUT ACCEPT",
        "-P POSTROUTING ACCEPT",
        "-A PREROUTING -p tcp -m tcp --dport 80 -j REDIRECT --to-ports 8080",
        "-A OUTPUT -j MARK --set-xmark 0x5/0xffffffff",
        "-A POSTROUTING -s 172.18.0.0/16 ! -o br0 -j MASQUERADE",
        "-A POSTROUTING -o eth0 -p udp -j SNAT --to-source 192.168.0.100:1000-2000",
        "",
      ].join("\n"),
    );
  });

  it("lists chains with names, and numerically with -n", async () => {
    const named = await output(`${RULES}iptables -L`, "iptables -L");
    expect(named.stdout).toBe(
      [
        "Chain INPUT (policy ACCEPT)",
        "target     prot opt source               destination         ",
        "REJECT     udp  --  anywhere             anywhere             udp dpt:domain reject-with icmp-port-unreachable",
        "REJECT     tcp  --  anywhere             anywhere             tcp dpt:54 reject-with tcp-reset",
        "DROP       all  --  10.0.0.0/8           10.1.0.0/16          state NEW",
        "ACCEPT     all  --  anywhere             anywhere             ADDRTYPE match dst-type LOCAL limit-in",
        "ACCEPT     all  --  anywhere             anywhere             PHYSDEV match --physdev-in veth0 --physdev-is-bridged",
        "ACCEPT     all  --  anywhere             anywhere             mark match 0x1",
        "ACCEPT     icmp --  anywhere             anywhere             icmp echo-request",
        "DOCKER-USER !tcp  --  anywhere             anywhere            [goto] ",
        "DROP       tcp  --  anywhere             anywhere             tcp dpt:56",
        "",
        "Chain FORWARD (policy ACCEPT)",
        "target     prot opt source               destination         ",
        "DOCKER-USER  all  --  anywhere             anywhere            ",
        "ACCEPT     all  --  anywhere             anywhere             ctstate RELATED,ESTABLISHED",
        "ACCEPT     all  --  anywhere             anywhere            ",
        "ACCEPT     tcp  --  anywhere             anywhere             multiport dports http,https /* web ports */",
        "",
        "Chain OUTPUT (policy ACCEPT)",
        "target     prot opt source               destination         ",
        "",
        "Chain DOCKER-USER (2 references)",
        "target     prot opt source               destination         ",
        "RETURN     all  --  anywhere             anywhere            ",
        "",
      ].join("\n"),
    );
    const nat = await output(`${RULES}iptables -t nat -L`, "iptables -t nat -L");
    expect(nat.stdout).toContain("REDIRECT   tcp  --  anywhere             anywhere             tcp dpt:http redir ports 8080\n");
    expect(nat.stdout).toContain("MASQUERADE  all  --  172.18.0.0/16        anywhere            \n");
    expect(nat.stdout).toContain("SNAT       udp  --  anywhere             anywhere             to:192.168.0.100:1000-2000\n");
    expect(nat.stdout).toContain("MARK       all  --  anywhere             anywhere             MARK set 0x5\n");
    const numeric = await output(`${RULES}iptables -L INPUT -n`, "iptables -L INPUT -n");
    expect(numeric.stdout).toContain("REJECT     17   --  0.0.0.0/0            0.0.0.0/0            udp dpt:53 reject-with icmp-port-unreachable\n");
    expect(numeric.stdout).toContain("ACCEPT     1    --  0.0.0.0/0            0.0.0.0/0            icmptype 8\n");
    expect(numeric.stdout).toContain("DOCKER-USER !6    --  0.0.0.0/0            0.0.0.0/0           [goto] \n");
  });

  it("shows counters with -v, line numbers, and exact numbers with -x", async () => {
    const script = `
iptables -A INPUT -i lo -j ACCEPT
iptables -t nat -A POSTROUTING -s 172.18.0.0/16 ! -o br0 -j MASQUERADE
ping -c 2 -i 0.2 127.0.0.1
iptables -L INPUT -v -n --line-numbers
iptables -t nat -L POSTROUTING -v -n
iptables -L INPUT -nvx
`;
    const verbose = await output(script, "iptables -L INPUT -v -n --line-numbers");
    expect(verbose.stdout).toBe(
      [
        "Chain INPUT (policy ACCEPT 0 packets, 0 bytes)",
        "num   pkts bytes target     prot opt in     out     source               destination         ",
        "1        4   336 ACCEPT     0    --  lo     *       0.0.0.0/0            0.0.0.0/0           ",
        "",
      ].join("\n"),
    );
    const nat = await output(script, "iptables -t nat -L POSTROUTING -v -n");
    expect(nat.stdout).toContain("    0     0 MASQUERADE  0    --  *      !br0    172.18.0.0/16        0.0.0.0/0           \n");
    const exact = await output(script, "iptables -L INPUT -nvx");
    expect(exact.stdout).toContain("    pkts      bytes target     prot opt in     out     source               destination         \n");
    expect(exact.stdout).toContain("       4      336 ACCEPT     0    --  lo     *       0.0.0.0/0            0.0.0.0/0           \n");
  });

  it("normalises what it stores: masks, protocol numbers, abbreviations, MARK and state order", async () => {
    const script = `
iptables -A FORWARD -d 10.1.2.3/255.255.0.0 -j ACCEPT
iptables -A FORWARD -p 6 -j ACCEPT
iptables -A FORWARD -p all -j ACCEPT
iptables -A INPUT -p tcp --sport 1000:2000 -m mark ! --mark 0x1/0xff -j MARK --set-mark 7
iptables -A INPUT -p tcp -m tcp --dport 22 -m state ! --state NEW,INVALID -j ACCEPT
iptables -A FORWARD -m comment --comment 'a "b"' -j ACCEPT
iptables -t nat -A PREROUTING -p tcp --dport 1234 -j DNAT --to 172.18.0.10:11211
iptables -t nat -A PREROUTING -p tcp --dport 1235 -j DNAT --to-dest 172.18.0.10:11212
iptables -S
iptables -t nat -S PREROUTING
`;
    const filter = await output(script, "iptables -S");
    expect(filter.stdout).toContain("-A FORWARD -d 10.1.0.0/16 -j ACCEPT\n-A FORWARD -p tcp -j ACCEPT\n-A FORWARD -j ACCEPT\n");
    expect(filter.stdout).toContain("-A INPUT -p tcp -m tcp --sport 1000:2000 -m mark ! --mark 0x1/0xff -j MARK --set-xmark 0x7/0xffffffff\n");
    expect(filter.stdout).toContain("-A INPUT -p tcp -m tcp --dport 22 -m state ! --state INVALID,NEW -j ACCEPT\n");
    expect(filter.stdout).toContain('-A FORWARD -m comment --comment "a \\"b\\"" -j ACCEPT\n');
    const nat = await output(script, "iptables -t nat -S PREROUTING");
    expect(nat.stdout).toBe(
      "-P PREROUTING ACCEPT\n-A PREROUTING -p tcp -m tcp --dport 1234 -j DNAT --to-destination 172.18.0.10:11211\n-A PREROUTING -p tcp -m tcp --dport 1235 -j DNAT --to-destination 172.18.0.10:11212\n",
    );
  });
});

describe("iptables commands", () => {
  it("appends, inserts (at 1 by default, or at a number), replaces, deletes by number and by rule", async () => {
    const script = `
iptables -A INPUT -s 10.0.0.1 -j ACCEPT
iptables -A INPUT -s 10.0.0.2 -j ACCEPT
iptables -I INPUT -s 10.0.0.3 -j DROP
iptables -I INPUT 2 -s 10.0.0.4 -j DROP
iptables -R INPUT 1 -s 10.0.0.5 -j DROP
iptables -D INPUT 2
iptables -D INPUT -s 10.0.0.1 -j ACCEPT
iptables -C INPUT -s 10.0.0.2 -j ACCEPT
iptables -S INPUT
`;
    const listed = await output(script, "iptables -S INPUT");
    expect(listed.stdout).toBe("-P INPUT ACCEPT\n-A INPUT -s 10.0.0.5/32 -j DROP\n-A INPUT -s 10.0.0.2/32 -j ACCEPT\n");
    expect((await output(script, "iptables -C INPUT -s 10.0.0.2 -j ACCEPT")).exitCode).toBe(0);
  });

  it("flushes (keeping policies and chains), zeroes, sets policies, renames and deletes chains", async () => {
    const script = `
iptables -N A
iptables -N B
iptables -A A -j B
iptables -A FORWARD -j A
iptables -P FORWARD DROP
iptables -E B C
iptables -S
iptables -F
iptables -S
iptables -X
iptables -S
iptables -Z
`;
    const renamed = await output(script.split("iptables -F")[0]!, "iptables -S");
    expect(renamed.stdout).toBe("-P INPUT ACCEPT\n-P FORWARD DROP\n-P OUTPUT ACCEPT\n-N A\n-N C\n-A FORWARD -j A\n-A A -j C\n");
    const run = await simulate(script);
    const listings = run.commands.filter((record) => record.argv.join(" ") === "iptables -S").map((record) => record.stdout);
    expect(listings[1]).toBe("-P INPUT ACCEPT\n-P FORWARD DROP\n-P OUTPUT ACCEPT\n-N A\n-N C\n");
    expect(listings[2]).toBe("-P INPUT ACCEPT\n-P FORWARD DROP\n-P OUTPUT ACCEPT\n");
  });

  const errors: [string, string, number][] = [
    ["iptables -A FOO -j ACCEPT", "iptables: No chain/target/match by that name.\n", 1],
    ["iptables -F FOO", "iptables: No chain/target/match by that name.\n", 1],
    ["iptables -X FOO", "iptables: No chain/target/match by that name.\n", 1],
    ["iptables -D FOO 1", "iptables: No chain/target/match by that name.\n", 1],
    ["iptables -L FOO", "iptables v1.8.9 (nf_tables): chain `FOO' in table `filter' is incompatible, use 'nft' tool.\n", 1],
    ["iptables -S FOO", "iptables v1.8.9 (nf_tables): chain `FOO' in table `filter' is incompatible, use 'nft' tool.\n", 1],
    ["iptables -A INPUT -j FOO", `iptables v1.8.9 (nf_tables): Chain 'FOO' does not exist\n${TRY}`, 2],
    ["iptables -P INPUT FOO", "iptables: Bad policy name. Run `dmesg' for more information.\n", 1],
    ["iptables -N BAR", "iptables: Chain already exists.\n", 1],
    ["iptables -P BAR DROP", "iptables: Bad built-in chain name.\n", 1],
    ["iptables -D INPUT -s 1.2.3.4 -j ACCEPT", "iptables: Bad rule (does a matching rule exist in that chain?).\n", 1],
    ["iptables -C INPUT -s 1.2.3.4 -j ACCEPT", "iptables: Bad rule (does a matching rule exist in that chain?).\n", 1],
    ["iptables -D INPUT 3", "iptables: No chain/target/match by that name.\n", 1],
    ["iptables -I INPUT 3 -j ACCEPT", "iptables: Index of insertion too big.\n", 1],
    ["iptables -R INPUT 3 -j ACCEPT", "iptables: No chain/target/match by that name.\n", 1],
    ["iptables -X USED", "iptables v1.8.9 (nf_tables):  CHAIN_DEL failed (Device or resource busy): chain USED\n", 4],
    ["iptables -X INPUT", "iptables v1.8.9 (nf_tables):  CHAIN_DEL failed (Device or resource busy): chain INPUT\n", 4],
    ["iptables -A INPUT -j MASQUERADE", "iptables v1.8.9 (nf_tables):  RULE_APPEND failed (Invalid argument): rule in chain INPUT\n", 4],
    ["iptables -I INPUT -j MASQUERADE", "iptables v1.8.9 (nf_tables):  RULE_INSERT failed (Invalid argument): rule in chain INPUT\n", 4],
    ["iptables -t nat -A PREROUTING -j MASQUERADE", "iptables v1.8.9 (nf_tables):  RULE_APPEND failed (Invalid argument): rule in chain PREROUTING\n", 4],
    ["iptables -A INPUT -j REJECT --reject-with tcp-reset", "iptables v1.8.9 (nf_tables):  RULE_APPEND failed (Invalid argument): rule in chain INPUT\n", 4],
    ["iptables -A INPUT -p tcp --dport 99999 -j ACCEPT", `iptables v1.8.9 (nf_tables): invalid port/service \`99999' specified\n${TRY}`, 2],
    ["iptables -A INPUT -s 300.1.1.1 -j ACCEPT", `iptables v1.8.9 (nf_tables): host/network \`300.1.1.1' not found\n${TRY}`, 2],
    ["iptables -A INPUT --bogus -j ACCEPT", `iptables v1.8.9 (nf_tables): unknown option "--bogus"\n${TRY}`, 2],
    ["iptables -A INPUT --dport 80 -j ACCEPT", `iptables v1.8.9 (nf_tables): unknown option "--dport"\n${TRY}`, 2],
    ["iptables -A INPUT -m conntrack --ctstate BOGUS -j ACCEPT", `iptables v1.8.9 (nf_tables): Bad ctstate "BOGUS"\n${TRY}`, 2],
    ["iptables -t nat -A PREROUTING -j DNAT", `iptables v1.8.9 (nf_tables): DNAT: option "--to-destination" must be specified\n\n${TRY}`, 2],
    ["iptables -t nat -A PREROUTING -j DNAT --to 1.2.3.4:80", `iptables v1.8.9 (nf_tables): Need TCP, UDP, SCTP or DCCP with port specification\n${TRY}`, 2],
    ["iptables -t nat -A OUTPUT -j REDIRECT --to-ports 8080", `iptables v1.8.9 (nf_tables): Need TCP, UDP, SCTP or DCCP with port specification\n${TRY}`, 2],
    ["iptables -t foo -L", "iptables v1.8.9 (nf_tables): table 'foo' does not exist\nPerhaps iptables or your kernel needs to be upgraded.\n", 3],
    ["iptables -N ABCDEFGHIJKLMNOPQRSTUVWXYZABCDEF", `iptables v1.8.9 (nf_tables): chain name \`ABCDEFGHIJKLMNOPQRSTUVWXYZABCDEF' too long (must be under 29 chars)\n${TRY}`, 2],
    ["iptables -A INPUT -s ! 10.0.0.0/8 -j ACCEPT", `Bad argument \`10.0.0.0/8'\n${TRY}`, 2],
    ["iptables -A INPUT -j REJECT --reject-with foo", `iptables v1.8.9 (nf_tables): unknown reject type "foo"\n${TRY}`, 2],
    ["iptables -A INPUT -p foo -j ACCEPT", `iptables v1.8.9 (nf_tables): unknown protocol "foo" specified\n${TRY}`, 2],
    ["iptables -A INPUT -m foo -j ACCEPT", `iptables v1.8.9 (nf_tables): Couldn't load match \`foo':No such file or directory\n\n${TRY}`, 2],
    ["iptables -A INPUT -j", `iptables v1.8.9 (nf_tables): option "-j" requires an argument\n${TRY}`, 2],
    ["iptables -A", `iptables v1.8.9 (nf_tables): option "-A" requires an argument\n${TRY}`, 2],
    ["iptables -E BAR USED", "iptables: File exists.\n", 1],
    ["iptables -A INPUT -i eth0 -i eth1 -j ACCEPT", `iptables v1.8.9 (nf_tables): multiple -i flags not allowed\n${TRY}`, 2],
    ["iptables -A INPUT -m multiport --dports 80,443 -j ACCEPT", `iptables v1.8.9 (nf_tables): multiport needs \`-p tcp', \`-p udp', \`-p udplite', \`-p sctp' or \`-p dccp'\n${TRY}`, 2],
    ["iptables -A INPUT -o eth0 -j ACCEPT", `iptables v1.8.9 (nf_tables): Can't use -o with INPUT\n\n${TRY}`, 2],
  ];
  it.each(errors)("%s", async (command, stderr, exitCode) => {
    const run = await simulate(`iptables -N BAR\niptables -N USED\niptables -A INPUT -j USED\n${command}\n`);
    expect(run.problems).toEqual([]);
    const record = run.commands[run.commands.length - 1]!;
    expect(record.stderr).toBe(stderr);
    expect(record.exitCode).toBe(exitCode);
  });

  it("refuses what it does not model by name", async () => {
    const run = await simulate("iptables -A INPUT -m hashlimit --hashlimit-upto 5/s -j ACCEPT\n");
    expect(run.problems.map((problem) => problem.word)).toEqual(["hashlimit"]);
    const log = await simulate("iptables -A INPUT -j NFLOG\n");
    expect(log.problems.map((problem) => problem.word)).toEqual(["NFLOG"]);
  });

  // As iptables 1.8.9 answered in the sandbox: -D finds a rule by what it is (is_same), not by how it was typed.
  it("-D and -C find a rule written another way, and a statistic rule after it drew", async () => {
    const run = await simulate(
      [
        "iptables -A INPUT -p tcp -m tcp --dport 80 -j ACCEPT",
        "iptables -A INPUT -m statistic --mode nth --every 2 --packet 0 -j ACCEPT",
        "ping -c 3 -W 0.2 127.0.0.1 > /dev/null",
        "iptables -C INPUT -p tcp --dport 80 -j ACCEPT",
        "iptables -D INPUT -p tcp --dport 80 -j ACCEPT",
        "iptables -D INPUT -m statistic --mode nth --every 2 --packet 0 -j ACCEPT",
        "iptables -C INPUT -p tcp --dport 81 -j ACCEPT",
        "iptables -S INPUT",
      ].join("\n") + "\n",
    );
    expect(run.commands.map((record) => record.exitCode)).toEqual([0, 0, 0, 0, 0, 0, 1, 0]);
    expect(run.commands[7]!.stdout).toBe("-P INPUT ACCEPT\n");
  });

  it("-L and -S do not create a table; a change creates it with all its built-in chains", async () => {
    const run = await simulate("iptables -t nat -L\niptables-save\niptables -t mangle -A OUTPUT -j MARK --set-mark 1\niptables-save\n");
    const saves = run.commands.filter((record) => record.argv[0] === "iptables-save");
    expect(saves[0]!.stdout).toBe("");
    expect(saves[1]!.stdout).toContain("*mangle\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\n-A OUTPUT -j MARK --set-xmark 0x1/0xffffffff\nCOMMIT\n");
  });
});

// A rule with two tcp (udp, multiport) matches: the kernel tests each (nft:
// `tcp dport 1 tcp dport 2`), iptables prints them read back as one. The
// listing is the kernel's after the same probes (kernel-sandbox, iptables
// 1.8.9): the rules needing two ports of one field count nothing.
describe("two tcp or udp matches in one rule", () => {
  const script = `${TWO_HOSTS}
ip netns exec b iptables -A INPUT -p tcp --dport 1 -m tcp --dport 2
ip netns exec b iptables -A INPUT -p tcp --sport 1001 -m tcp --sport 1002
ip netns exec b iptables -A INPUT -p udp --dport 1 -m udp --dport 2
ip netns exec b iptables -A INPUT -p udp --sport 1001 -m udp --sport 1002
ip netns exec b iptables -A INPUT -p tcp -m multiport --dports 1 -m multiport --dports 2
ip netns exec b iptables -A INPUT -p tcp --dport 1 -m tcp --sport 1002
ip netns exec b iptables -A INPUT -p tcp --dport 1 -m tcp ! --dport 1
ip netns exec b iptables -A INPUT -p tcp --dport 1
ip netns exec b iptables -A INPUT -p tcp --dport 2
ip netns exec b iptables -A INPUT -p udp --dport 1
ip netns exec b iptables -A INPUT -p udp --dport 2
ip netns exec a nc -z -w 1 -p 1001 10.0.0.2 1
ip netns exec a nc -z -w 1 -p 1002 10.0.0.2 2
ip netns exec a nc -z -w 1 -p 1002 10.0.0.2 1
ip netns exec a nc -u -v -z -w 1 -p 1001 10.0.0.2 1
ip netns exec a nc -u -v -z -w 1 -p 1002 10.0.0.2 2
ip netns exec b iptables -L INPUT -v -n -x
ip netns exec b nft list chain ip filter INPUT
ip netns exec b iptables -C INPUT -p tcp -m tcp --dport 2
ip netns exec b iptables -D INPUT -p tcp -m tcp --dport 2
ip netns exec b iptables -S INPUT 1
`;

  it("tests every match: a packet to either port passes a rule that wants both", async () => {
    const run = await simulate(script);
    expect(run.problems).toEqual([]);
    expect(recordOf(run, "iptables -L INPUT -v -n -x").stdout).toBe(
      [
        "Chain INPUT (policy ACCEPT 0 packets, 0 bytes)",
        "    pkts      bytes target     prot opt in     out     source               destination         ",
        "       0        0            6    --  *      *       0.0.0.0/0            0.0.0.0/0            tcp dpt:2",
        "       0        0            6    --  *      *       0.0.0.0/0            0.0.0.0/0            tcp spt:1002",
        "       0        0            17   --  *      *       0.0.0.0/0            0.0.0.0/0            udp dpt:2",
        "       0        0            17   --  *      *       0.0.0.0/0            0.0.0.0/0            udp spt:1002",
        "       0        0            6    --  *      *       0.0.0.0/0            0.0.0.0/0            multiport dports 1 multiport dports 2",
        "       1       60            6    --  *      *       0.0.0.0/0            0.0.0.0/0            tcp spt:1002 dpt:1",
        "       0        0            6    --  *      *       0.0.0.0/0            0.0.0.0/0            tcp dpt:!1",
        "       2      120            6    --  *      *       0.0.0.0/0            0.0.0.0/0            tcp dpt:1",
        "       1       60            6    --  *      *       0.0.0.0/0            0.0.0.0/0            tcp dpt:2",
        "       1       29            17   --  *      *       0.0.0.0/0            0.0.0.0/0            udp dpt:1",
        "       1       29            17   --  *      *       0.0.0.0/0            0.0.0.0/0            udp dpt:2",
        "",
      ].join("\n"),
    );
  });

  it("nft lists each match's tests; -C and -D find the rule by its merged form", async () => {
    const run = await simulate(script);
    expect(recordOf(run, "nft list chain ip filter INPUT").stdout).toContain(
      "\t\ttcp dport 1 tcp dport 2 counter packets 0 bytes 0\n\t\ttcp sport 1001 tcp sport 1002 counter packets 0 bytes 0\n\t\tudp dport 1 udp dport 2 counter packets 0 bytes 0\n",
    );
    expect(recordOf(run, "nft list chain ip filter INPUT").stdout).toContain("\t\ttcp dport 1 tcp dport != 1 counter packets 0 bytes 0\n");
    expect(recordOf(run, "iptables -C INPUT -p tcp -m tcp --dport 2").exitCode).toBe(0);
    // -D took the first rule alike when read back: `-p tcp --dport 1 -m tcp --dport 2`.
    expect(recordOf(run, "iptables -S INPUT 1").stdout).toBe("-A INPUT -p tcp -m tcp --sport 1002\n");
  });
});
