// netsim explain: one small scenario per cause, asserting the cause, the
// objects it names, the configuration line, and the fix check; and a
// property: every fix reported as checked does make the probe succeed.
import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { explainScenario } from "../../src/explain/explain.js";
import type { Explanation } from "../../src/explain/types.js";
import { scenarioFiles } from "../support/scenario-files.js";
import { simulate } from "../support/simulate.js";

const PATH = "/virtual/explain.sh";

async function explain(script: string, options: { all?: boolean } = {}): Promise<Explanation[]> {
  const { run, explanations } = await explainScenario(PATH, { files: { [PATH]: script }, ...options });
  expect(run.problems).toEqual([]);
  return [...explanations];
}

/** client -- router -- server over two veths; pieces left out by the caller. */
function routed(options: { clientDefault?: boolean; serverDefault?: boolean; forwarding?: boolean; linkUp?: boolean } = {}): string {
  const { clientDefault = true, serverDefault = true, forwarding = true, linkUp = true } = options;
  return [
    "ip netns add client",
    "ip netns add router",
    "ip netns add server",
    "ip link add c0 type veth peer name r0",
    "ip link add s0 type veth peer name r1",
    "ip link set c0 netns client",
    "ip link set r0 netns router",
    "ip link set r1 netns router",
    "ip link set s0 netns server",
    "ip -n client addr add 10.0.1.2/24 dev c0",
    "ip -n router addr add 10.0.1.1/24 dev r0",
    "ip -n router addr add 10.0.2.1/24 dev r1",
    "ip -n server addr add 10.0.2.2/24 dev s0",
    "ip -n client link set c0 up",
    "ip -n router link set r0 up",
    linkUp ? "ip -n router link set r1 up" : "",
    "ip -n server link set s0 up",
    clientDefault ? "ip -n client route add default via 10.0.1.1" : "",
    serverDefault ? "ip -n server route add default via 10.0.2.1" : "",
    forwarding ? "ip netns exec router sysctl -q -w net.ipv4.ip_forward=1" : "",
    "ip netns exec client ping -c 1 -W 1 10.0.2.2",
    "",
  ].join("\n");
}

describe("causes", () => {
  it("no route at the sender: names the routing table, proposes a default route, checked", async () => {
    const [explanation] = await explain(routed({ clientDefault: false }));
    expect(explanation!.probe.outcome).toBe("unreachable");
    expect(explanation!.causes[0]!.kind).toBe("no-route");
    expect(explanation!.causes[0]!.objects).toEqual(["the routing table of client"]);
    expect(explanation!.fix).toEqual({ commands: ["ip netns exec client ip route add default via 10.0.1.1"], check: { outcome: "reply", succeeded: true } });
  });

  it("forwarding off at the router", async () => {
    const [explanation] = await explain(routed({ forwarding: false }));
    expect(explanation!.causes[0]).toMatchObject({ kind: "forwarding-off", objects: ["net.ipv4.conf.r0.forwarding"] });
    expect(explanation!.verdict).toContain("net.ipv4.ip_forward is 0");
    expect(explanation!.fix?.commands).toEqual(["ip netns exec router sysctl -w net.ipv4.ip_forward=1"]);
    expect(explanation!.fix?.check.succeeded).toBe(true);
  });

  it("no route back from the far side: the walkthrough's MASQUERADE, checked", async () => {
    const [explanation] = await explain(routed({ serverDefault: false }));
    expect(explanation!.causes[0]!.kind).toBe("no-route-back");
    expect(explanation!.causes[0]!.summary).toContain("server received the request but has no route back to 10.0.1.2");
    expect(explanation!.fix).toEqual({ commands: ["ip netns exec router iptables -t nat -A POSTROUTING -s 10.0.1.0/24 ! -o r0 -j MASQUERADE"], check: { outcome: "reply", succeeded: true } });
  });

  it("a filter policy drops it: names the chain's policy", async () => {
    const script = routed().replace("ip netns exec client ping", "ip netns exec router iptables -P FORWARD DROP\nip netns exec client ping");
    const [explanation] = await explain(script);
    expect(explanation!.causes[0]).toMatchObject({ kind: "filtered", objects: ["the FORWARD policy of the filter table (DROP)"] });
    // The narrowest rule for this flow first, and the conntrack rule its reply needs; the blunt policy change second, labelled.
    expect(explanation!.fix).toEqual({
      commands: ["ip netns exec router iptables -I FORWARD -i r0 -o r1 -d 10.0.2.2 -p icmp --icmp-type echo-request -j ACCEPT", "ip netns exec router iptables -I FORWARD -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT"],
      check: { outcome: "reply", succeeded: true },
    });
    expect(explanation!.alternative).toMatchObject({ commands: ["ip netns exec router iptables -P FORWARD ACCEPT"], check: { outcome: "reply", succeeded: true }, caveat: expect.stringMatching(/^blunt: /) });
  });

  it("a published port behind FORWARD DROP: the rule for that port on the way in, and ESTABLISHED for the replies (kernel-checked)", async () => {
    // As test/explain/fixtures shows, both rules and only both make the connect succeed on the kernel too.
    const { explanations } = await explainScenario("test/explain/fixtures/dnat-forward-drop.sh");
    const [explanation] = explanations;
    expect(explanation!.fix).toEqual({
      commands: ["iptables -I FORWARD -i eth0 -o br0 -d 172.18.0.10 -p tcp --dport 11211 -j ACCEPT", "iptables -I FORWARD -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT"],
      check: { outcome: "connected", succeeded: true },
    });
    expect(explanation!.alternative?.commands).toEqual(["iptables -P FORWARD ACCEPT"]);
  });

  it("a filter rule rejects it: names the rule and the line that added it", async () => {
    const script = routed().replace("ip netns exec client ping", "ip netns exec router iptables -A FORWARD -d 10.0.2.2 -j REJECT\nip netns exec client ping");
    const [explanation] = await explain(script);
    expect(explanation!.causes[0]!.kind).toBe("filtered");
    expect(explanation!.causes[0]!.objects[0]).toMatch(/^rule 1 of filter FORWARD/);
    expect(explanation!.causes[0]!.origin?.line).toBe(21);
    expect(explanation!.fix?.commands).toEqual(["ip netns exec router iptables -D FORWARD 1"]);
    expect(explanation!.fix?.check.succeeded).toBe(true);
  });

  it("an nft rule rejects it (firewalld's dispatch): names the table, chain and handle, and an nft accept before it as the checked fix", async () => {
    const nft = [
      "ip netns exec router nft add table inet fw",
      "ip netns exec router nft add chain inet fw dispatch",
      "ip netns exec router nft add rule inet fw dispatch reject with icmpx admin-prohibited",
      "ip netns exec router nft add chain inet fw forward '{ type filter hook forward priority filter + 10; policy accept; }'",
      "ip netns exec router nft add rule inet fw forward jump dispatch",
    ].join("\n");
    const [explanation] = await explain(routed().replace("ip netns exec client ping", `${nft}\nip netns exec client ping`));
    expect(explanation!.causes[0]!.kind).toBe("filtered");
    expect(explanation!.causes[0]!.objects[0]).toBe("the rule of inet fw dispatch (reject with icmpx admin-prohibited # handle 2)");
    expect(explanation!.causes[0]!.summary).toContain("rejects the packet");
    // The line of the batch that added the rule.
    expect(explanation!.causes[0]!.origin?.line).toBe(23);
    // The request's accept, then the reply's (the reject answered it too); test/explain/fixtures/nft-reject-fixed.sh: the same on the kernel.
    expect(explanation!.fix).toEqual({
      commands: ['ip netns exec router nft insert rule inet fw dispatch iifname "r0" oifname "r1" ip daddr 10.0.2.2 icmp type echo-request accept', "ip netns exec router nft insert rule inet fw dispatch ct state established,related accept"],
      check: { outcome: "reply", succeeded: true },
    });
  });

  it("an nft base chain's policy drops it: an nft accept, and no iptables -P for it", async () => {
    const nft = "ip netns exec router nft add table ip fw\nip netns exec router nft add chain ip fw forward '{ type filter hook forward priority 0; policy drop; }'";
    const [explanation] = await explain(routed().replace("ip netns exec client ping", `${nft}\nip netns exec client ping`));
    expect(explanation!.causes[0]).toMatchObject({ kind: "filtered", objects: ["the forward policy of ip fw (drop)"] });
    expect(explanation!.fix?.commands[0]).toBe('ip netns exec router nft insert rule ip fw forward iifname "r0" oifname "r1" ip daddr 10.0.2.2 icmp type echo-request accept');
    expect(explanation!.fix?.check.succeeded).toBe(true);
    expect(explanation!.alternative).toBeUndefined();
  });

  it("a link down on the way: its subnet's route went with it", async () => {
    const [explanation] = await explain(routed({ linkUp: false }));
    expect(explanation!.causes[0]).toMatchObject({ kind: "link-down", objects: ["link r1"] });
    expect(explanation!.causes[0]!.summary).toContain("r1 in router is down, and with it went the route to 10.0.2.0/24");
    expect(explanation!.fix).toEqual({ commands: ["ip netns exec router ip link set r1 up"], check: { outcome: "reply", succeeded: true } });
  });

  it("a veth whose peer is down", async () => {
    const script = [
      "ip netns add a",
      "ip netns add b",
      "ip link add va type veth peer name vb",
      "ip link set va netns a",
      "ip link set vb netns b",
      "ip -n a addr add 10.0.0.1/24 dev va",
      "ip -n b addr add 10.0.0.2/24 dev vb",
      "ip -n a link set va up",
      "ip netns exec a ping -c 1 -W 1 10.0.0.2",
      "",
    ].join("\n");
    const [explanation] = await explain(script);
    expect(explanation!.causes[0]).toMatchObject({ kind: "link-down", objects: ["link vb"] });
    expect(explanation!.fix?.commands).toEqual(["ip netns exec b ip link set vb up"]);
    expect(explanation!.fix?.check.succeeded).toBe(true);
  });

  it("the router has no route onward", async () => {
    const [explanation] = await explain(routed().replace("ping -c 1 -W 1 10.0.2.2", "ping -c 1 -W 1 10.0.9.9"));
    expect(explanation!.causes[0]).toMatchObject({ kind: "router-no-route", objects: ["the routing table of router"] });
    expect(explanation!.fix).toBeUndefined();
  });

  it("an unreachable route names the route and the line that added it", async () => {
    const script = routed().replace("ip netns exec client ping", "ip -n router route add unreachable 10.0.2.2/32\nip netns exec client ping");
    const [explanation] = await explain(script);
    expect(explanation!.causes[0]).toMatchObject({ kind: "route-refuses", objects: ["route unreachable 10.0.2.2"] });
    expect(explanation!.causes[0]!.origin?.line).toBe(21);
  });

  it("ttl running out", async () => {
    const [explanation] = await explain(routed().replace("ping -c 1 -W 1", "ping -c 1 -W 1 -t 1"));
    expect(explanation!.causes[0]!.kind).toBe("ttl-exceeded");
  });

  it("the duplicate /16: names both routes, the line of the first, and the walkthrough's bridge as the checked fix", async () => {
    const { explanations } = await explainScenario("scenarios/walkthrough/02-second-netns.sh", { line: 18 });
    const [explanation] = explanations;
    expect(explanation!.causes[0]).toMatchObject({ kind: "duplicate-subnet", objects: ["route 172.18.0.0/16 dev veth0", "route 172.18.0.0/16 dev veth1"] });
    expect(explanation!.causes[0]!.origin).toEqual({ file: "scenarios/walkthrough/lib/netns0.sh", line: 6 });
    expect(explanation!.fix?.commands.slice(0, 6)).toEqual([
      "ip link add br0 type bridge",
      "ip link set br0 up",
      "ip addr del 172.18.0.11/16 dev veth0",
      "ip addr del 172.18.0.21/16 dev veth1",
      "ip link set veth0 master br0",
      "ip link set veth1 master br0",
    ]);
    expect(explanation!.fix?.check).toEqual({ outcome: "reply", succeeded: true });
  });

  it("the bridge without an address (walkthrough stage 3)", async () => {
    const { explanations } = await explainScenario("scenarios/walkthrough/03-bridge.sh");
    expect(explanations).toHaveLength(1);
    expect(explanations[0]!.causes[0]).toMatchObject({ kind: "missing-bridge-address", objects: ["bridge br0", "the routing table of wan"] });
    expect(explanations[0]!.fix).toEqual({ commands: ["ip addr add 172.18.0.1/16 dev br0"], check: { outcome: "reply", succeeded: true } });
  });

  it("explains successes when asked: the route taken", async () => {
    const [explanation] = await explain(routed(), { all: true });
    expect(explanation!.probe.outcome).toBe("reply");
    expect(explanation!.causes[0]!.kind).toBe("delivered");
    expect(explanation!.causes[0]!.objects[0]).toBe("route default via 10.0.1.1 dev c0 in client");
  });
});

describe("checked fixes", () => {
  it("any fix reported as checked makes the probe succeed when applied by hand", async () => {
    await fc.assert(
      fc.asyncProperty(fc.record({ clientDefault: fc.boolean(), serverDefault: fc.boolean(), forwarding: fc.boolean(), linkUp: fc.boolean() }), async (options) => {
        const script = routed(options);
        const explanations = await explain(script);
        for (const explanation of explanations) {
          if (!explanation.fix) continue;
          expect(explanation.fix.check.succeeded).toBe(true);
          const lines = script.split("\n");
          const line = explanation.probe.location.line;
          const fixed = [...lines.slice(0, line - 1), ...explanation.fix.commands, ...lines.slice(line - 1)].join("\n");
          const run = await simulate(fixed);
          const probe = run.commands.filter((record) => record.probe).pop();
          expect(probe?.probe?.outcome).toBe("reply");
        }
      }),
      { seed: 20261128, numRuns: 16 },
    );
  });
});

describe("port forwards (walkthrough stage 9)", () => {
  it("explains each refused connection with the DNAT rule it missed, and the walkthrough's fix, checked", async () => {
    const { explanations } = await explainScenario("scenarios/walkthrough/09-port-forward.sh");
    expect(explanations.map((explanation) => [explanation.probe.location.line, explanation.causes[0]!.kind, explanation.fix?.commands, explanation.fix?.check.outcome])).toEqual([
      [17, "no-listener", ["iptables -t nat -A PREROUTING -i eth0 -p tcp --dport 1234 -j DNAT --to-destination 172.18.0.10:11211"], "connected"],
      [21, "dnat-missed", ["iptables -t nat -A OUTPUT -d 192.168.0.100 -p tcp --dport 1234 -j DNAT --to-destination 172.18.0.10:11211"], "connected"],
      [24, "dnat-missed", ["iptables -t nat -A PREROUTING -d 192.168.0.100 -p tcp --dport 1234 -j DNAT --to-destination 172.18.0.10:11211"], "connected"],
    ]);
    expect(explanations[1]!.causes[0]!.summary).toContain("never pass PREROUTING; they take nat OUTPUT");
    expect(explanations[2]!.causes[0]!.summary).toContain("in-interface br0 is not eth0");
    expect(explanations[2]!.causes[0]!.origin).toEqual({ file: "scenarios/walkthrough/09-port-forward.sh", line: 18 });
  });
});

describe("bridges and forwarded ports", () => {
  const WALKTHROUGH = "/virtual/walkthrough/scenario.sh";
  const lib = (name: string) => readFileSync(`scenarios/walkthrough/lib/${name}.sh`, "utf8");
  const files = (body: string) => ({
    [WALKTHROUGH]: [". ./lib/uplink.sh", ". ./lib/netns0.sh", ". ./lib/netns1.sh", ". ./lib/bridge.sh", ". ./lib/bridge-address.sh", ". ./lib/default-route.sh", ". ./lib/ip-forward.sh", ". ./lib/masquerade.sh", body, ""].join("\n"),
    ...Object.fromEntries(["uplink", "netns0", "netns1", "bridge", "bridge-address", "default-route", "ip-forward", "masquerade"].map((name) => [`/virtual/walkthrough/lib/${name}.sh`, lib(name)])),
  });

  it("a bridge port that is down", async () => {
    const { run, explanations } = await explainScenario(WALKTHROUGH, { files: files("ip link set veth1 down\nip netns exec netns0 ping -c 1 -W 1 172.18.0.20") });
    expect(run.problems).toEqual([]);
    expect(explanations[0]!.causes[0]).toMatchObject({ kind: "link-down", objects: ["link veth1"], device: { namespace: "", name: "veth1" } });
    expect(explanations[0]!.fix).toEqual({ commands: ["ip link set veth1 up"], check: { outcome: "reply", succeeded: true } });
  });

  it("a container reaching its own published port: the bridge port's hairpin mode, and `bridge link set ... hairpin on` as the checked fix", async () => {
    const body = [
      "ip netns exec netns0 nc -lk 11211 &",
      "iptables -t nat -A PREROUTING -d 192.168.0.100 -p tcp --dport 1234 -j DNAT --to 172.18.0.10:11211",
      "iptables -t nat -A POSTROUTING -s 172.18.0.10 -d 172.18.0.10 -p tcp --dport 11211 -j MASQUERADE",
      "ip netns exec netns0 nc -z -w 1 192.168.0.100 1234",
    ].join("\n");
    const { run, explanations } = await explainScenario(WALKTHROUGH, { files: files(body) });
    expect(run.problems).toEqual([]);
    const [explanation] = explanations;
    expect(explanation!.probe.outcome).toBe("timeout");
    expect(explanation!.causes[0]).toMatchObject({ kind: "hairpin-off", objects: ["bridge port veth0 (hairpin off)"], device: { namespace: "", name: "veth0" } });
    expect(explanation!.causes[0]!.summary).toMatch(/br0 .* port veth0, the port it came in on .*bridged DNAT|br0 .* port veth0, the port it came in on/);
    expect(explanation!.fix).toEqual({ commands: ["bridge link set dev veth0 hairpin on"], check: { outcome: "connected", succeeded: true } });
  });

  it("DNAT applied, but FORWARD drops the rewritten packet", async () => {
    const body = [
      "ip netns exec netns0 nc -lk 11211 &",
      "iptables -t nat -A PREROUTING -i eth0 -p tcp --dport 1234 -j DNAT --to 172.18.0.10:11211",
      "iptables -A FORWARD -d 172.18.0.10 -p tcp --dport 11211 -j DROP",
      "ip netns exec wan nc -z -w 1 192.168.0.100 1234",
    ].join("\n");
    const { run, explanations } = await explainScenario(WALKTHROUGH, { files: files(body) });
    expect(run.problems).toEqual([]);
    const [explanation] = explanations;
    expect(explanation!.probe.outcome).toBe("timeout");
    expect(explanation!.causes[0]!.kind).toBe("filtered");
    expect(explanation!.causes[0]!.objects[0]).toMatch(/^rule 1 of filter FORWARD \(-A FORWARD -d 172\.18\.0\.10\/32 -p tcp -m tcp --dport 11211 -j DROP\)$/);
    expect(explanation!.causes[0]!.origin?.line).toBe(11);
    expect(explanation!.fix).toEqual({ commands: ["iptables -D FORWARD 1"], check: { outcome: "connected", succeeded: true } });
  });
});

describe("an earlier command that failed", () => {
  it("is named as the cause, its misspelt name corrected, and the corrected command is the checked fix", async () => {
    const { explanations } = await explainScenario("test/explain/fixtures/misspelt-bridge.sh");
    const [explanation] = explanations;
    expect(explanation!.earlierFailures).toHaveLength(1);
    expect(explanation!.earlierFailures[0]).toMatchObject({ command: "ip link set veth1 master bro0", corrected: "ip link set veth1 master br0", location: { line: 9 } });
    expect(explanation!.verdict).toContain("got no reply: line 9 failed: bro0 does not exist (did you mean br0?), so veth1 was never made a port of br0; ");
    expect(explanation!.fix).toEqual({ commands: ["ip link set veth1 master br0"], check: { outcome: "reply", succeeded: true } });
  });

  it("is not blamed when it has nothing to do with the probe, nor when the scenario expected it to fail", async () => {
    const unrelated = routed({ forwarding: false }).replace("ip netns exec client ping", "ip link set nosuch up\nip netns exec client ping");
    const [explanation] = await explain(unrelated);
    expect(explanation!.earlierFailures).toEqual([]);
    const expected = routed({ forwarding: false }).replace("ip netns exec client ping", "ip netns exec router ip link set r9 up   # expect: error\nip netns exec client ping");
    expect((await explain(expected))[0]!.earlierFailures).toEqual([]);
  });
});

describe("wording", () => {
  it("calls the scenario's own namespace the root namespace in sentences, never \"(in (root))\"", async () => {
    const { explanations } = await explainScenario("scenarios/walkthrough/02-second-netns.sh");
    for (const explanation of explanations) {
      expect(explanation.verdict).not.toMatch(/\(root\)/);
    }
    expect(explanations.some((explanation) => explanation.verdict.includes("(in the root namespace)"))).toBe(true);
  });
});

describe("every failed probe in scenarios/", () => {
  it("gets an explanation naming its decisive object; the walkthrough's failures come with the walkthrough's own fix, checked", async () => {
    const fixes = new Map<string, string>();
    for (const file of scenarioFiles()) {
      const { run, explanations } = await explainScenario(file);
      const failed = run.commands.filter((record) => record.probe && record.probe.outcome !== "reply" && record.probe.outcome !== "connected");
      expect(explanations).toHaveLength(failed.length);
      for (const explanation of explanations) {
        expect(explanation.causes[0]!.objects.length, explanation.verdict).toBeGreaterThan(0);
        if (explanation.fix) expect(explanation.fix.check.succeeded).toBe(true);
        if (run.file.includes("walkthrough")) fixes.set(`${run.file.replace(/^.*\//, "")}:${explanation.probe.location.line}`, explanation.fix?.commands.join("; ") ?? "(none)");
      }
    }
    // The walkthrough's own next step, for each of its failures.
    expect(Object.fromEntries(fixes)).toMatchObject({
      "03-bridge.sh:18": "ip addr add 172.18.0.1/16 dev br0",
      "05-no-default-route.sh:10": "ip netns exec netns0 ip route add default via 172.18.0.1; echo 1 > /proc/sys/net/ipv4/ip_forward; iptables -t nat -A POSTROUTING -s 172.18.0.0/16 ! -o br0 -j MASQUERADE",
      "06-default-route.sh:12": "echo 1 > /proc/sys/net/ipv4/ip_forward; iptables -t nat -A POSTROUTING -s 172.18.0.0/16 ! -o br0 -j MASQUERADE",
      "07-ip-forward.sh:12": "iptables -t nat -A POSTROUTING -s 172.18.0.0/16 ! -o br0 -j MASQUERADE",
      "10-forward-drop.sh:13": "iptables -I FORWARD -i br0 -o br0 -d 172.18.0.20 -p icmp --icmp-type echo-request -j ACCEPT; iptables -I FORWARD -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT",
    });
    expect(fixes.get("02-second-netns.sh:18")).toMatch(/^ip link add br0 type bridge; ip link set br0 up; /);
  }, 120_000);
});
