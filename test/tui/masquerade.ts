// A MASQUERADE probe for the UI tests while the netfilter stage is being
// written: stage 7's netns0 → 8.8.8.8 ping with the two steps netfilter adds
// (the nat POSTROUTING rule rewriting the source, and the conntrack entry)
// put in after forwarding, and the reply coming back.
import { parseIpv4Address } from "../../src/model/address.js";
import type { Ipv4Packet } from "../../src/model/packet.js";
import type { Trace, TraceStep } from "../../src/model/trace.js";
import type { Walk } from "../../src/tui/walk.js";
import { commandIndex, walkOf } from "./support.js";

export const RULE = "-A POSTROUTING -s 172.18.0.0/16 ! -o br0 -j MASQUERADE";

function address(text: string): number {
  return parseIpv4Address(text)!;
}

export async function masqueradeWalk(): Promise<{ walk: Walk; command: number; natHop: number; conntrackHop: number }> {
  const base = await walkOf("07-ip-forward.sh");
  const command = commandIndex(base, "ip netns exec netns0 ping -c 1 -W 1 8.8.8.8");
  const step = base.steps[command]!;
  const original = step.trace!;
  const forward = original.steps.findIndex((hop) => hop.stage === "ip_forward");
  const forwarded = original.steps[forward]!;
  const before: Ipv4Packet = { ...(forwarded.packetAfter ?? forwarded.packet)! };
  const after: Ipv4Packet = { ...before, source: address("192.168.0.100") };
  const nat: TraceStep = {
    time: forwarded.time,
    namespace: "",
    device: "eth0",
    stage: "nf_hook",
    packet: before,
    packetAfter: after,
    decision: { kind: "netfilter", table: "nat", chain: "POSTROUTING", ruleNumber: 1, ruleText: RULE, target: "MASQUERADE" },
    verdict: "continue",
    why: "nat POSTROUTING rule 1 matches (-s 172.18.0.0/16, out of eth0 which is not br0): MASQUERADE takes eth0's address as the source",
  };
  const conntrack: TraceStep = {
    time: forwarded.time,
    namespace: "",
    device: "eth0",
    stage: "nf_hook",
    packet: after,
    decision: { kind: "conntrack", state: "NEW", entry: "icmp src=172.18.0.10 dst=8.8.8.8 type=8 code=0 id=20052 src=8.8.8.8 dst=192.168.0.100 type=0 code=0 id=20052" },
    verdict: "continue",
    why: "conntrack confirms a new entry; the reply to 192.168.0.100 will be turned back to 172.18.0.10",
  };
  const steps = [...original.steps.slice(0, forward + 1), nat, conntrack];
  const trace: Trace = { ...original, steps };
  const walk: Walk = {
    ...base,
    steps: base.steps.map((candidate) =>
      candidate === step
        ? {
            ...candidate,
            trace,
            record: { ...candidate.record, exitCode: 0, probe: { tool: "ping", outcome: "reply", ttl: 63 } },
            expectation: { location: candidate.record.location, expected: "reply", actual: "reply", ok: true, comment: "" },
          }
        : candidate,
    ),
  };
  return { walk, command, natHop: forward + 1, conntrackHop: forward + 2 };
}
