// The normaliser on texts captured from the kernel (test/fixtures/kernel-backend/snapshot-samples:
// a bridge with an explicitly set MAC, a namespace pinging through it, MASQUERADE, a user chain).
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  explicitMacAddresses,
  normaliseAddresses,
  normaliseConntrack,
  normaliseIptablesSave,
  normaliseLinks,
  normaliseNeighbours,
  normalisePingOutput,
  normaliseRoutes,
  stripIptablesCounters,
} from "../../../src/backends/kernel/normalise.js";
import type { CommandRecord } from "../../../src/scenario/result.js";

const sample = (name: string) => readFileSync(new URL(`../../fixtures/kernel-backend/snapshot-samples/${name}`, import.meta.url), "utf8");
const context = { explicitMacAddresses: new Set(["02:00:00:00:00:01", "02:00:00:00:00:10"]) };

describe("normaliseLinks", () => {
  const links = JSON.parse(normaliseLinks(sample("link.json"), context)) as Record<string, unknown>[];

  it("drops ifindex, the peer's index and netns id", () => {
    for (const link of links) {
      expect(link).not.toHaveProperty("ifindex");
      expect(link).not.toHaveProperty("link_index");
      expect(link).not.toHaveProperty("link_netnsid");
    }
  });

  it("keeps MAC addresses the scenario set and the fixed ones, drops generated ones", () => {
    expect(links.map((link) => [link.ifname, link.address])).toEqual([
      ["lo", "00:00:00:00:00:00"],
      ["br0", "02:00:00:00:00:01"],
      ["veth0", undefined],
    ]);
  });

  it("keeps what the scenario decides: names, flags, master, mtu", () => {
    expect(links[2]).toMatchObject({ ifname: "veth0", master: "br0", mtu: 1500, flags: ["BROADCAST", "MULTICAST", "UP", "LOWER_UP"] });
  });

  it("prints keys sorted, so the same state is the same text", () => {
    const reordered = JSON.stringify(JSON.parse(sample("link.json")).map((link: Record<string, unknown>) => Object.fromEntries(Object.entries(link).reverse())));
    expect(normaliseLinks(reordered, context)).toBe(normaliseLinks(sample("link.json"), context));
  });
});

describe("normaliseAddresses", () => {
  it("keeps IPv4 addresses only, without lifetimes", () => {
    const links = JSON.parse(normaliseAddresses(sample("addr.json"), context)) as { ifname: string; addr_info: unknown[] }[];
    expect(links.map((link) => [link.ifname, link.addr_info])).toEqual([
      ["lo", [{ family: "inet", label: "lo", local: "127.0.0.1", prefixlen: 8, scope: "host" }]],
      ["br0", [{ family: "inet", label: "br0", local: "172.18.0.1", prefixlen: 16, scope: "global" }]],
      ["veth0", []],
    ]);
  });
});

describe("normaliseRoutes", () => {
  it("keeps the IPv4 routes of every table in the kernel's order", () => {
    const routes = JSON.parse(normaliseRoutes(sample("route.json"))) as { dst: string; table?: string }[];
    expect(routes.map((route) => `${route.dst} ${route.table ?? "main"}`)).toEqual([
      "172.18.0.0/16 main",
      "127.0.0.0/8 local",
      "127.0.0.1 local",
      "127.255.255.255 local",
      "172.18.0.1 local",
      "172.18.255.255 local",
    ]);
  });
});

describe("normaliseNeighbours", () => {
  it("folds timer-driven states into REACHABLE and keeps an explicit lladdr", () => {
    expect(JSON.parse(normaliseNeighbours(sample("neigh.json"), context))).toEqual([
      { dst: "172.18.0.10", dev: "br0", lladdr: "02:00:00:00:00:10", state: ["REACHABLE"] },
    ]);
  });

  it("replaces a generated lladdr by a placeholder", () => {
    const generated = '[{"dst":"10.0.0.2","dev":"c0","lladdr":"fa:2e:98:77:fb:6f","state":["STALE"]}]';
    expect(JSON.parse(normaliseNeighbours(generated, context))).toEqual([{ dst: "10.0.0.2", dev: "c0", lladdr: "<generated>", state: ["REACHABLE"] }]);
  });
});

describe("normaliseIptablesSave", () => {
  it("drops counters and the dated comment lines", () => {
    expect(normaliseIptablesSave(sample("iptables.txt"))).toBe(
      [
        "*filter",
        ":INPUT ACCEPT",
        ":FORWARD ACCEPT",
        ":OUTPUT ACCEPT",
        ":DOCKER -",
        "-A FORWARD -i br0 -j ACCEPT",
        "-A DOCKER -p tcp -m tcp --dport 80 -j ACCEPT",
        "COMMIT",
        "*nat",
        ":PREROUTING ACCEPT",
        ":INPUT ACCEPT",
        ":OUTPUT ACCEPT",
        ":POSTROUTING ACCEPT",
        "-A POSTROUTING -s 172.18.0.0/16 ! -o br0 -j MASQUERADE",
        "COMMIT",
        "",
      ].join("\n"),
    );
  });

  it("strips rule counters of iptables-save -c too", () => {
    expect(stripIptablesCounters(":INPUT ACCEPT [12:3400]\n[3:252] -A INPUT -j ACCEPT\n")).toBe(":INPUT ACCEPT\n-A INPUT -j ACCEPT\n");
  });
});

describe("normaliseConntrack", () => {
  it("drops the countdown, use= and IGMP; replaces the ICMP id consistently", () => {
    expect(normaliseConntrack(sample("conntrack.txt"))).toBe(
      "icmp 1 src=172.18.0.10 dst=172.18.0.1 type=8 code=0 id=<id1> src=172.18.0.1 dst=172.18.0.10 type=0 code=0 id=<id1> mark=0\n",
    );
  });

  it("replaces ephemeral ports but keeps service ports, whatever order the kernel listed flows in", () => {
    const flows = [
      "tcp      6 431999 ESTABLISHED src=172.18.0.10 dst=8.8.8.8 sport=41000 dport=80 src=8.8.8.8 dst=192.168.0.100 sport=80 dport=41000 [ASSURED] mark=0 use=1",
      "udp      17 29 src=10.0.1.2 dst=192.168.0.2 sport=5000 dport=7000 src=192.168.0.2 dst=192.168.0.1 sport=7000 dport=5000 mark=0 use=1",
    ];
    const expected =
      "tcp 6 ESTABLISHED src=172.18.0.10 dst=8.8.8.8 sport=<port1> dport=80 src=8.8.8.8 dst=192.168.0.100 sport=80 dport=<port1> [ASSURED] mark=0\n" +
      "udp 17 src=10.0.1.2 dst=192.168.0.2 sport=5000 dport=7000 src=192.168.0.2 dst=192.168.0.1 sport=7000 dport=5000 mark=0\n";
    expect(normaliseConntrack(flows.join("\n"))).toBe(expected);
    expect(normaliseConntrack([...flows].reverse().join("\n"))).toBe(expected);
  });
});

describe("normalisePingOutput", () => {
  it("drops the clock readings", () => {
    const output = [
      "PING 10.0.0.2 (10.0.0.2) 56(84) bytes of data.",
      "64 bytes from 10.0.0.2: icmp_seq=1 ttl=64 time=0.071 ms",
      "",
      "--- 10.0.0.2 ping statistics ---",
      "1 packets transmitted, 1 received, 0% packet loss, time 0ms",
      "rtt min/avg/max/mdev = 0.071/0.071/0.071/0.000 ms",
      "",
    ].join("\n");
    expect(normalisePingOutput(output)).toBe(
      output.replace("time=0.071 ms", "time=<t> ms").replace("time 0ms", "time <t>ms").replace(/rtt .*/, "rtt min/avg/max/mdev = <rtt>"),
    );
  });
});

describe("explicitMacAddresses", () => {
  it("collects the MACs ip commands named", () => {
    const command = (argv: string[]): CommandRecord => ({ location: { file: "x.sh", line: 1 }, callers: [], namespace: "", argv, exitCode: 0, stdout: "", stderr: "" });
    expect(
      explicitMacAddresses([
        command(["ip", "link", "set", "br0", "address", "02:00:00:00:00:01"]),
        command(["ip", "neigh", "add", "10.0.0.9", "lladdr", "02:AA:00:00:00:09", "dev", "c0"]),
        command(["ping", "-c", "1", "10.0.0.2"]),
      ]),
    ).toEqual(new Set(["02:00:00:00:00:01", "02:aa:00:00:00:09"]));
  });
});

describe("timing the simulator cannot share (kernel clock, linkwatch, teardown races)", () => {
  const link = (flags: string[], operstate: string, extra: Record<string, unknown> = {}) => JSON.stringify([{ ifindex: 3, link_index: 2, ifname: "vb0", flags, operstate, ...extra }]);
  const settled = (text: string) => JSON.parse(normaliseLinks(text, context)) as { flags: string[]; operstate: string }[];

  it("shows a carrier that just came on as linkwatch will leave it", () => {
    expect(settled(link(["NO-CARRIER", "BROADCAST", "MULTICAST", "UP", "LOWER_UP"], "DOWN"))).toEqual([
      { ifname: "vb0", flags: ["BROADCAST", "MULTICAST", "UP", "LOWER_UP"], operstate: "UP" },
    ]);
  });

  it("shows a carrier that just went off as linkwatch will leave it: LOWERLAYERDOWN over a lower link, else DOWN", () => {
    expect(settled(link(["BROADCAST", "MULTICAST", "UP"], "UP"))[0]).toMatchObject({ flags: ["NO-CARRIER", "BROADCAST", "MULTICAST", "UP"], operstate: "LOWERLAYERDOWN" });
    expect(settled(link(["BROADCAST", "MULTICAST", "UP"], "UP", { link_index: 3 }))[0]).toMatchObject({ operstate: "DOWN" });
    // Settled states pass unchanged.
    expect(settled(link(["NO-CARRIER", "BROADCAST", "MULTICAST", "UP"], "LOWERLAYERDOWN"))[0]).toMatchObject({ flags: ["NO-CARRIER", "BROADCAST", "MULTICAST", "UP"], operstate: "LOWERLAYERDOWN" });
    expect(settled(link(["BROADCAST", "MULTICAST"], "DOWN"))[0]).toMatchObject({ flags: ["BROADCAST", "MULTICAST"], operstate: "DOWN" });
  });

  it("folds INCOMPLETE and FAILED into <unresolved>", () => {
    const entries = JSON.stringify([
      { dst: "10.0.0.2", dev: "v0", state: ["INCOMPLETE"] },
      { dst: "10.0.0.3", dev: "v0", state: ["FAILED"] },
    ]);
    expect((JSON.parse(normaliseNeighbours(entries, context)) as { state: string[] }[]).map((entry) => entry.state)).toEqual([["<unresolved>"], ["<unresolved>"]]);
  });

  it("folds an assured TCP flow's teardown states, not an unreplied one's", () => {
    const flow = (state: string, assured: boolean) =>
      `tcp      6 10 ${state} src=10.0.0.1 dst=10.0.0.2 sport=40000 dport=80 src=10.0.0.2 dst=10.0.0.1 sport=80 dport=40000 ${assured ? "[ASSURED] " : ""}mark=0 use=1\n`;
    expect(normaliseConntrack(flow("CLOSE", true))).toBe(normaliseConntrack(flow("TIME_WAIT", true)));
    expect(normaliseConntrack(flow("CLOSE", true))).toContain("tcp 6 <teardown> src=10.0.0.1");
    expect(normaliseConntrack(flow("SYN_SENT", false))).toContain("tcp 6 SYN_SENT src=10.0.0.1");
  });
});
