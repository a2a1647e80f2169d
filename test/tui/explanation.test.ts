import { describe, expect, it } from "vitest";
import { explainProbe, finalDrop } from "../../src/tui/explanation.js";
import { commandIndex, walkOf } from "./support.js";

describe("why a probe failed", () => {
  it("the duplicate /16: the explainer's cause, naming both routes and the first one taken", async () => {
    const walk = await walkOf("02-second-netns.sh");
    const step = walk.steps[commandIndex(walk, "ping -c 1 172.18.0.20")]!;
    const explanation = explainProbe(step.record, step.trace, step.world);
    expect(explanation?.text).toBe(
      "the root namespace has 2 routes for 172.18.0.0/16 (172.18.0.0/16 dev veth0; 172.18.0.0/16 dev veth1); the kernel takes the first, 172.18.0.0/16 dev veth0, and nobody on that link owns 172.18.0.20: its ARP requests go unanswered",
    );
    expect(explanation!.hopIndex).toBeDefined();
  });

  it("without the world (no explainer), the trace's final drop: the drop with a reason wins over later ones without", async () => {
    const walk = await walkOf("02-second-netns.sh");
    const step = walk.steps[commandIndex(walk, "ping -c 1 172.18.0.20")]!;
    const explanation = explainProbe(step.record, step.trace);
    expect(explanation?.text).toBe("no answer to 3 ARP requests for 172.18.0.20 on veth0: the entry fails and the queued packet is dropped (NEIGH_FAILED)");
    expect(step.trace!.steps[explanation!.hopIndex!]!.stage).toBe("neigh_timer");
  });

  it("no route: the lookup itself fails", async () => {
    const walk = await walkOf("05-no-default-route.sh");
    const step = walk.steps[commandIndex(walk, "ip netns exec netns0 ping -c 1 8.8.8.8")]!;
    expect(explainProbe(step.record, step.trace, step.world)?.text).toBe("netns0 has no route to 8.8.8.8: no route covers it, not even a default route");
    expect(explainProbe(step.record, step.trace)?.text).toMatch(/^no route to 8\.8\.8\.8 in netns0.*\(IP_OUTNOROUTES\)$/);
  });

  it("says nothing for a probe that worked, or a command that is not a probe", async () => {
    const walk = await walkOf("04-bridge-address.sh");
    const probe = walk.steps[commandIndex(walk, "ping -c 1 172.18.0.10")]!;
    expect(explainProbe(probe.record, probe.trace, probe.world)).toBeUndefined();
    const show = walk.steps[commandIndex(walk, "ip route")]!;
    expect(explainProbe(show.record, show.trace, show.world)).toBeUndefined();
  });

  it("falls back to the last drop when no drop has a reason", () => {
    const step = (verdict: "drop" | "continue", why: string) => ({ time: 0, namespace: "", stage: "arp_rcv" as const, verdict, why });
    expect(finalDrop({ probe: "ping", namespace: "", steps: [step("drop", "first"), step("drop", "second"), step("continue", "after")] })?.index).toBe(1);
    expect(finalDrop({ probe: "ping", namespace: "", steps: [step("continue", "only")] })).toBeUndefined();
  });
});
