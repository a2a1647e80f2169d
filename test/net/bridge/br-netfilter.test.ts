// br_netfilter: bridged IPv4 passes the iptables FORWARD chain (in = out =
// the bridge, the ports visible to -m physdev) while
// net.bridge.bridge-nf-call-iptables is 1, the default.
import { describe, expect, it } from "vitest";
import { recordOf, simulate } from "../../support/simulate.js";

const BRIDGED = `
ip link add br0 type bridge
ip link set br0 up
for n in 0 1; do
  ip netns add ns$n
  ip link add veth$n type veth peer name eth0 netns ns$n
  ip link set veth$n master br0
  ip link set veth$n up
  ip -n ns$n addr add 10.0.0.1$n/24 dev eth0
  ip -n ns$n link set eth0 up
done
`;

async function bridgedPing(rules: string) {
  const run = await simulate(`${BRIDGED}${rules}\nip netns exec ns0 ping -c 1 -W 1 10.0.0.11\n`);
  expect(run.problems).toEqual([]);
  return { run, outcome: recordOf(run, "ping -c 1 -W 1 10.0.0.11").probe?.outcome };
}

describe("br_netfilter", () => {
  it.each([
    ["FORWARD DROP stops bridged traffic", "iptables -P FORWARD DROP", "no-reply"],
    ["-i br0 -o br0 ACCEPT mends it", "iptables -P FORWARD DROP\niptables -A FORWARD -i br0 -o br0 -j ACCEPT", "reply"],
    ["bridge-nf-call-iptables=0 keeps bridged frames out of iptables", "iptables -P FORWARD DROP\nsysctl -w net.bridge.bridge-nf-call-iptables=0", "reply"],
    ["echo 0 > /proc/sys/net/bridge/bridge-nf-call-iptables does the same", "iptables -P FORWARD DROP\necho 0 > /proc/sys/net/bridge/bridge-nf-call-iptables", "reply"],
    ["-m physdev sees the ports", "iptables -A FORWARD -m physdev --physdev-in veth0 --physdev-out veth1 -j DROP", "no-reply"],
    ["-m physdev --physdev-is-bridged", "iptables -A FORWARD -m physdev --physdev-is-bridged -j DROP", "no-reply"],
    ["! --physdev-is-bridged does not match bridged frames", "iptables -A FORWARD -m physdev ! --physdev-is-bridged -j DROP", "reply"],
    ["-m physdev --physdev-out on the other port", "iptables -A FORWARD -m physdev --physdev-out veth0 -j DROP", "no-reply"],
  ])("%s", async (_name, rules, expected) => {
    expect((await bridgedPing(rules)).outcome).toBe(expected);
  });

  it("tracks bridged connections: ESTABLISHED replies, PREROUTING and POSTROUTING nat on the first packet", async () => {
    const { run, outcome } = await bridgedPing("iptables -P FORWARD DROP\niptables -A FORWARD -m conntrack --ctstate NEW -i br0 -o br0 -j ACCEPT\niptables -A FORWARD -m conntrack --ctstate ESTABLISHED -j ACCEPT\niptables -t nat -A POSTROUTING -o br0 -j ACCEPT\niptables -t nat -A PREROUTING -i br0 -j ACCEPT");
    expect(outcome).toBe("reply");
    const saved = await simulate(`${BRIDGED}iptables -t nat -A PREROUTING -i br0 -j ACCEPT\niptables -A FORWARD -m conntrack --ctstate NEW -j ACCEPT\nip netns exec ns0 ping -c 2 -i 0.2 10.0.0.11\niptables-save -c\n`);
    const text = recordOf(saved, "iptables-save -c").stdout;
    expect(text).toContain("[1:84] -A PREROUTING -i br0 -j ACCEPT\n");
    expect(text).toContain("[1:84] -A FORWARD -m conntrack --ctstate NEW -j ACCEPT\n");
    void run;
  });
});
