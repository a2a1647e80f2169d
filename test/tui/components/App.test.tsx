// The step-through as a user sees it: rendered by Ink at 80×24 through
// ink-testing-library, keys typed on its stdin, the frame read back.
import { render } from "ink-testing-library";
import { afterEach, describe, expect, it } from "vitest";
import { cleanup } from "ink-testing-library";
import { App } from "../../../src/tui/components/App.js";
import { INITIAL_STATE, type ViewState } from "../../../src/tui/navigation.js";
import type { Walk } from "../../../src/tui/walk.js";
import { join } from "node:path";
import { buildWalk } from "../../../src/tui/walk.js";
import { commandIndex, WALKTHROUGH, walkOf } from "../support.js";

const KEY = { right: "\u001B[C", left: "\u001B[D", up: "\u001B[A", down: "\u001B[B", enter: "\r", pageDown: "\u001B[6~", pageUp: "\u001B[5~" };

const tick = () => new Promise((resolve) => setTimeout(resolve, 15));

function start(walk: Walk, initial: Partial<ViewState> = {}, width = 80, height = 24) {
  const instance = render(<App walk={walk} width={width} height={height} color={false} initial={{ ...INITIAL_STATE, ...initial }} />);
  const frame = () => instance.lastFrame() ?? "";
  const press = async (key: string, times = 1) => {
    for (let count = 0; count < times; count++) {
      instance.stdin.write(key);
      await tick();
    }
    // Ink draws at most every few milliseconds: let the last key's frame land.
    await new Promise((resolve) => setTimeout(resolve, 60));
  };
  return { instance, frame, press };
}

function expectFits(frame: string, width: number, height: number): void {
  const lines = frame.split("\n");
  expect(lines.length).toBeLessThanOrEqual(height - 1);
  for (const line of lines) expect([...line].length).toBeLessThanOrEqual(width);
}

/** The topology pane's lines: from its rule to the next rule. */
function topologyPane(frame: string): string {
  const lines = frame.split("\n");
  const start = lines.findIndex((line) => line.startsWith("── topology"));
  if (start < 0) return "";
  const end = lines.findIndex((line, index) => index > start && line.startsWith("──"));
  return lines.slice(start + 1, end < 0 ? undefined : end).join("\n");
}

afterEach(() => cleanup());

describe("netsim step at 80×24", () => {
  it("stage 1: the topology grows command by command as → steps through them", async () => {
    const walk = await walkOf("01-netns-veth.sh");
    const first = commandIndex(walk, "ip netns add netns0");
    const { frame, press } = start(walk, { command: first });
    await tick();
    expect(frame()).toContain("▶ 12 ip netns add netns0");
    expect(topologyPane(frame())).toContain("╭─ netns0 ");
    expect(topologyPane(frame())).not.toContain("veth0");
    // ↓ passes `ip netns list`, `ip link` in netns0 and the unreachable probe without walking its hops.
    await press(KEY.down, 4);
    expect(frame()).toContain("ip link add veth0 type veth peer name ceth0");
    expect(frame()).toMatch(/│ veth0 +DOWN +│/);
    expect(frame()).toMatch(/│ ceth0 +DOWN +│/);
    // The kernel registers the peer first, so ceth0 has the lower ifindex and leads.
    expect(frame()).toContain("veth links:  eth0 ═ wan0  ceth0 ═ veth0");
    await press(KEY.right);
    expect(frame()).toContain("▶ 17 ip link set ceth0 netns netns0");
    // ceth0 left the root box for netns0's.
    const boxes = frame().split("\n").filter((line) => line.includes("ceth0 ") && line.includes("│"));
    expect(boxes).toHaveLength(1);
    await press(KEY.right, 2);
    expect(frame()).toContain("▶ 19 ip addr add 172.18.0.11/16 dev veth0");
    expect(frame()).toMatch(/veth0 172\.18\.0\.11\/16/);
    await press(KEY.right, 3);
    expect(frame()).toContain("▶ 22 ip netns exec netns0 ip addr add 172.18.0.10/16 dev ceth0");
    expect(frame()).toMatch(/ceth0 172\.18\.0\.10\/16/);
    expect(frame()).not.toMatch(/ceth0 +172\.18\.0\.10\/16 DOWN/);
    expectFits(frame(), 80, 24);
  });

  it("shows a command's output and its expectation's verdict", async () => {
    const walk = await walkOf("01-netns-veth.sh");
    const { frame } = start(walk, { command: commandIndex(walk, "ip netns exec netns0 ip route") });
    await tick();
    expect(frame()).toContain("── output ─");
    expect(frame()).toContain("  172.18.0.0/16 dev ceth0 proto kernel scope link src 172.18.0.10");
    expectFits(frame(), 80, 24);
  });

  it("stage 2, the duplicate /16: the hop list and each hop's detail, the packet on veth0, the explanation", async () => {
    const walk = await walkOf("02-second-netns.sh");
    const { frame, press } = start(walk, { command: commandIndex(walk, "ping -c 1 172.18.0.20") });
    await tick();
    const screen = frame();
    expect(screen).toContain("command 30/32 · hop 1/18");
    expect(screen).toContain("── ping: no-reply  ✓ no-reply ─");
    expect(screen).toContain("why: the root namespace has 2 routes for 172.18.0.0/16 (172.18.0.0/16 dev veth0;");
    expect(screen).toMatch(/▶ {2}1 \(root\)\/veth0 +ip_route_output/);
    // The routes considered: both /16s, the first (veth0) chosen.
    expect(screen).toContain("hop 1/18 · (root)/veth0 · ip_route_output");
    expect(screen).toContain("routes considered (table main):");
    expect(screen).toContain(" ✓ 172.18.0.0/16 dev veth0 proto kernel scope link src 172.18.0.11");
    expect(screen).toMatch(/│▸veth0 172\.18\.0\.11\/16/);
    expectFits(screen, 80, 24);

    // Enter shows the whole detail: the second route, not chosen.
    await press(KEY.enter);
    expect(frame()).toContain("hop detail (Enter: collapse)");
    expect(frame()).toContain("    172.18.0.0/16 dev veth1 proto kernel scope link src 172.18.0.21");
    expect(frame()).toContain("next hop 172.18.0.20, source 172.18.0.11");
    expect(frame()).not.toContain("── topology");
    await press(KEY.enter);

    // → to the frame crossing veth0: the link is marked.
    await press(KEY.right, 4);
    expect(frame()).toContain("hop 5/18 · (root)/veth0 · veth_xmit");
    expect(frame()).toContain("▸veth0 ═ ceth0");
    await press(KEY.right);
    expect(frame()).toContain("hop 6/18 · netns0/ceth0 · arp_rcv");
    expect(frame()).toContain("who-has 172.18.0.20: not an address of netns0, so no answer");
    expect(frame()).toMatch(/│▸ceth0 172\.18\.0\.10\/16/);
    expect(frame()).toContain("ARP request: who-has 172.18.0.20? tell 172.18.0.11");
    await press(KEY.right, 7);
    expect(frame()).toContain("hop 13/18 · (root)/veth0 · neigh_timer");
    expect(frame()).toContain("ARP cache: 172.18.0.20 FAILED");
    expect(frame()).toContain("verdict DROP NEIGH_FAILED");
    expectFits(frame(), 80, 24);
  });

  it("← really goes back: the earlier topology returns, not the latest one", async () => {
    const walk = await walkOf("03-bridge.sh");
    const { frame, press } = start(walk, { command: commandIndex(walk, "ip link set veth1 master br0") });
    await tick();
    const bridged = frame();
    expect(bridged).toMatch(/│ br0 +│/);
    expect(bridged).toContain("├ veth0");
    expect(bridged).toContain("└ veth1");
    await press(KEY.left);
    expect(frame()).toContain("▶ 32 ip link set veth0 master br0");
    expect(frame()).toContain("└ veth0");
    expect(frame()).toMatch(/│ veth1 +│/);
    await press(KEY.left, 2);
    expect(frame()).toContain("▶ 30 ip addr del 172.18.0.11/16 dev veth0");
    expect(frame()).toMatch(/│ veth0 +│/);
    expect(frame()).toMatch(/│ veth1 172\.18\.0\.21\/16 +│/);
    expect(frame()).not.toContain("├ veth0");
    await press(KEY.right, 3);
    expect(frame()).toBe(bridged);
  });

  it("← from the first hop of a probe lands on the last hop of the probe before", async () => {
    const walk = await walkOf("02-second-netns.sh");
    const { frame, press } = start(walk, { command: commandIndex(walk, "ip netns exec netns1 ping -c 1 -W 1 172.18.0.21") });
    await tick();
    expect(frame()).toContain("command 31/32 · hop 1/17");
    await press(KEY.left);
    expect(frame()).toContain("command 30/32 · hop 18/18");
    expect(frame()).toContain("socket_deliver");
    await press(KEY.up);
    expect(frame()).toContain("▶ 29 ip route get 172.18.0.20");
    expect(frame()).toContain("  172.18.0.20 dev veth0 src 172.18.0.11 uid 0");
  });

  it("t hides and shows the topology, ? shows the keys, q quits", async () => {
    const walk = await walkOf("04-bridge-address.sh");
    const { frame, press, instance } = start(walk, { command: commandIndex(walk, "ping -c 1 172.18.0.20") });
    await tick();
    expect(frame()).toContain("── topology");
    await press("t");
    expect(frame()).not.toContain("── topology");
    expect(frame()).not.toContain("╭─ (root)");
    await press("t");
    expect(frame()).toContain("╭─ (root)");
    await press("?");
    expect(frame()).toContain("show / hide the topology");
    expect(frame()).toContain("step forward / back");
    await press("?");
    expect(frame()).not.toContain("show / hide the topology");
    await press("q");
    // After exit, keys change nothing.
    const last = frame();
    await press(KEY.right);
    expect(frame()).toBe(last);
    instance.unmount();
  });

  it("stage 8, MASQUERADE: → walks the request through the nat rule and the rewrite on eth0", async () => {
    const walk = await walkOf("08-masquerade.sh");
    const command = commandIndex(walk, "ip netns exec netns0 ping -c 1 -W 1 8.8.8.8");
    const hops = walk.steps[command]!.trace!.steps;
    const rule = hops.findIndex((hop) => hop.decision?.kind === "netfilter" && hop.decision.target === "MASQUERADE");
    const { frame, press } = start(walk, { command, hop: rule });
    await tick();
    expect(frame()).toContain("── ping: reply  ✓ reply ─");
    expect(frame()).toContain(`hop ${rule + 1}/${hops.length} · (root)/eth0 · nf_hook`);
    expect(frame()).toContain("  iptables -t nat POSTROUTING: rule 1: -A POSTROUTING -s 172.18.0.0/16 ! -o br0\n    -j MASQUERADE → MASQUERADE");
    expect(frame()).toMatch(/│▸eth0 192\.168\.0\.100\/16/);
    // Step on to the hop that rewrites the source, and open its detail.
    const rewrite = hops.findIndex((hop, index) => index > rule && hop.packet && hop.packetAfter && hop.packetAfter.source !== hop.packet.source);
    await press(KEY.right, rewrite - rule);
    expect(frame()).toMatch(new RegExp(`▶ +${rewrite + 1} \\(root\\)/eth0 +nf_hook +rewritten`));
    await press(KEY.enter);
    expect(frame()).toMatch(/ {2}packet {2}172\.18\.0\.10 > 8\.8\.8\.8 echo request id \d+ seq 1 ttl 63/);
    expect(frame()).toMatch(/ {2}after {3}192\.168\.0\.100 > 8\.8\.8\.8 echo request id \d+ seq 1 ttl 63/);
    expect(frame()).toContain("  NAT     source 172.18.0.10 → 192.168.0.100");
    expect(frame()).toMatch(/conntrack NEW: #1 original icmp 172\.18\.0\.10 > 8\.8\.8\.8/);
    expectFits(frame(), 80, 24);
    // The reply: conntrack turns the destination back to the container.
    const undo = hops.findIndex((hop, index) => index > rewrite && hop.stage === "nf_hook" && hop.packet && hop.packetAfter && hop.packetAfter.destination !== hop.packet.destination);
    await press(KEY.right, undo - rewrite);
    expect(frame()).toContain("  NAT     destination 192.168.0.100 → 172.18.0.10");
    expect(frame()).toMatch(new RegExp(`▶ +${undo + 1} \\(root\\)/eth0 +nf_hook +rewritten`));
  });

  it("a bridge hop says what the FDB did", async () => {
    const walk = await walkOf("03-bridge.sh");
    const probe = commandIndex(walk, "ip netns exec netns0 ping -c 1 172.18.0.20");
    const hops = walk.steps[probe]!.trace!.steps;
    const flood = hops.findIndex((hop) => hop.decision?.kind === "fdb" && hop.decision.how === "flood");
    expect(flood).toBeGreaterThanOrEqual(0);
    const { frame } = start(walk, { command: probe, hop: flood });
    await tick();
    expect(frame()).toContain("not known: flood out of every other port");
    expect(frame()).toContain("── ping: reply  ✓ reply ─");
    expect(frame()).not.toContain("why:");
  });

  it("stays inside the terminal on the last step of every stage, at 80×24 and at 160×48", async () => {
    for (const stage of ["01-netns-veth.sh", "02-second-netns.sh", "03-bridge.sh", "04-bridge-address.sh", "05-no-default-route.sh", "06-default-route.sh", "07-ip-forward.sh"]) {
      const walk = await walkOf(stage);
      for (const [width, height] of [[80, 24], [160, 48]] as const) {
        const { frame, instance } = start(walk, { command: walk.steps.length - 1 }, width, height);
        await tick();
        expectFits(frame(), width, height);
        instance.unmount();
      }
    }
  });

  it("uses the width of a larger terminal: commands and topology beside the probe", async () => {
    const walk = await walkOf("07-ip-forward.sh");
    const { frame } = start(walk, { command: commandIndex(walk, "ip netns exec netns0 ping -c 1 -W 1 8.8.8.8") }, 160, 48);
    await tick();
    const line = frame().split("\n").find((text) => text.includes("── ping: no-reply"));
    expect(line).toBeDefined();
    expect(line!.indexOf("── ping")).toBeGreaterThan(70);
    expect(frame()).toContain("╭─ netns0 ");
  });

  it("PgDn / PgUp page through a long output; the header names the command's file:line; → starts the next command's output at its top", async () => {
    const file = join(WALKTHROUGH, "long-output.sh");
    const walk = await buildWalk(file, { files: { [file]: "for i in $(seq 1 30); do ip link add d$i type dummy; done\nip link\nip -br link\n" } });
    const { instance, frame, press } = start(walk, { command: walk.steps.length - 2 });
    await press("");
    expect(frame().split("\n")[0]).toMatch(/^netsim step long-output\.sh  long-output\.sh:2 +command 31\/32$/);
    expect(frame()).toContain("1: lo: <LOOPBACK,UP,LOWER_UP>");
    expect(frame()).toMatch(/lines 1–\d+ of 62 · PgDn more/);
    await press(KEY.pageDown, 10);
    // The last page: d30's lines, and PgDn past it stays there.
    expect(frame()).toContain("31: d30: <BROADCAST,MULTICAST,NOARP>");
    expect(frame()).toMatch(/lines \d+–62 of 62 · PgUp back/);
    expectFits(frame(), 80, 24);
    await press(KEY.pageUp);
    expect(frame()).not.toContain("31: d30: <BROADCAST,MULTICAST,NOARP>");
    expect(frame()).toMatch(/· PgDn more · PgUp back/);
    await press(KEY.right);
    expect(frame().split("\n")[0]).toContain("long-output.sh:3");
    expect(frame()).toMatch(/^  lo +UNKNOWN/m);
    instance.unmount();
  });
});
