// xt_statistic: the texts iptables 1.8.9 prints (measured in kernel-sandbox),
// its errors, the nth counter as the kernel runs it, and the model's seeded
// random mode (deterministic, and about as often as the probability says).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createWorld, rootNamespace } from "../../../src/net/core/net-namespace.js";
import { createStatisticMatch, formatStatisticProbability, statisticProbability, xtStatistic } from "../../../src/net/netfilter/xt-statistic.js";
import { ScenarioSimulator } from "../../../src/scenario/runner.js";
import type { Ipv4Packet } from "../../../src/model/packet.js";

async function run(script: string) {
  const file = "/t/statistic.sh";
  return new ScenarioSimulator({ files: { [file]: script } }).run(file);
}

describe("xt_statistic", () => {
  it("prints rules as iptables-save and -L do", async () => {
    const result = await run(`iptables -t nat -N KUBE-SVC-A
iptables -t nat -A KUBE-SVC-A -m comment --comment "ns/svc:http" -m statistic --mode random --probability 0.33333333349 -j RETURN
iptables -t nat -A KUBE-SVC-A -m statistic --mode random --probability 0.1 -j RETURN
iptables -t nat -A KUBE-SVC-A -m statistic --mode random ! --probability 0.1 -j RETURN
iptables -t nat -A KUBE-SVC-A -m statistic --mode random --probability 1 -j RETURN
iptables -t nat -A KUBE-SVC-A -m statistic --mode nth --every 3 --packet 2 -j RETURN
iptables -t nat -A KUBE-SVC-A -m statistic --mode nth ! --every 3 --packet 0 -j RETURN
iptables -t nat -A KUBE-SVC-A -m statistic --mode nth --every 5 --packet 0x2 -j RETURN
iptables -t nat -S KUBE-SVC-A
iptables -t nat -L KUBE-SVC-A -n
`);
    expect(result.output).toContain(`-N KUBE-SVC-A
-A KUBE-SVC-A -m comment --comment "ns/svc:http" -m statistic --mode random --probability 0.33333333349 -j RETURN
-A KUBE-SVC-A -m statistic --mode random --probability 0.10000000009 -j RETURN
-A KUBE-SVC-A -m statistic --mode random ! --probability 0.10000000009 -j RETURN
-A KUBE-SVC-A -m statistic --mode random --probability 1.00000000000 -j RETURN
-A KUBE-SVC-A -m statistic --mode nth --every 3 --packet 2 -j RETURN
-A KUBE-SVC-A -m statistic --mode nth ! --every 3 --packet 0 -j RETURN
-A KUBE-SVC-A -m statistic --mode nth --every 5 --packet 2 -j RETURN
`);
    expect(result.output).toContain("RETURN     0    --  0.0.0.0/0            0.0.0.0/0            /* ns/svc:http */ statistic mode random probability 0.33333333349\n");
    expect(result.output).toContain("0.0.0.0/0            statistic mode random ! probability 0.10000000009\n");
    expect(result.output).toContain("0.0.0.0/0            statistic mode nth every 3 packet 2\n");
    expect(result.output).toContain("0.0.0.0/0            statistic mode nth ! every 3\n");
  });

  it("refuses what iptables refuses, with its words", async () => {
    const cases: Array<[string, string]> = [
      ["-m statistic", "--probability must be specified when using random mode"],
      ["-m statistic --mode nth", "--every and --packet must be specified when using nth mode"],
      ["-m statistic --mode bogus", 'Bad mode "bogus"'],
      ["-m statistic --mode random --probability 1.5", 'statistic: bad value for option "--probability", or out of range (0-1).\n'],
      ["-m statistic --mode nth --every 0", 'statistic: bad value for option "--every", or out of range (1-4294967295).\n'],
      ["-m statistic --mode nth --every 3 --packet 3", "the --packet p must be 0 <= p <= n-1"],
      ["-m statistic --mode nth --packet 1", "the --packet p must be 0 <= p <= n-1"],
      ["-m statistic --mode random --every 3", "--probability must be specified when using random mode"],
      ["-m statistic --mode nth --every 3 --probability 0.5", 'statistic: option "--probability" cannot be used together with "--every".\n'],
      ["-m statistic --mode random --probability 0.5 --packet 1", 'statistic: option "--probability" cannot be used together with "--packet".\n'],
      ["-m statistic --mode nth --every 3", 'statistic: option "--every" also requires "--packet".\n'],
      ["-m statistic --probability 0.5", 'statistic: option "--mode" must be specified\n'],
      ["-m statistic ! --mode random --probability 0.1", 'statistic: option "--mode" cannot be inverted.\n'],
      ["-m statistic --mode random --probability 0.5 --probability 0.2", 'statistic: option "--probability" can only be used once.\n'],
    ];
    for (const [words, message] of cases) {
      const result = await run(`iptables -A OUTPUT ${words} -j DROP\n`);
      expect(result.output).toContain(`iptables v1.8.9 (nf_tables): ${message}\nTry \`iptables -h' or 'iptables --help' for more information.\n`);
      expect(result.commands[0]?.exitCode).toBe(2);
    }
  });

  it("stores and prints the probability as libxt_statistic does (lround(p * 2^31), %.11f half-even)", () => {
    expect(statisticProbability(0.1)).toBe(214748365);
    expect(formatStatisticProbability(statisticProbability(0.1))).toBe("0.10000000009");
    expect(formatStatisticProbability(statisticProbability(1 / 3))).toBe("0.33333333349");
    expect(formatStatisticProbability(0x80000000)).toBe("1.00000000000");
    // 2^19 / 2^31 = 1/4096 = 0.000244140625 exactly: glibc rounds the tie to even.
    expect(formatStatisticProbability(2 ** 19)).toBe("0.00024414062");
  });

  const world = createWorld();
  const namespace = rootNamespace(world);
  const packet = (sequence: number): Ipv4Packet => ({ source: 1, destination: 2, ttl: 64, transport: { protocol: "icmp", type: 8, code: 0, id: 7, sequence }, payloadLength: 56 });
  const context = (sequence: number) => ({ namespace, hook: "OUTPUT" as const, packet: packet(sequence), bridged: false, now: 0 });

  it("nth: the packet P (0-based) of every N, as the kernel dropped seqs 2 and 5 of 7 with --every 3 --packet 1", () => {
    const match = createStatisticMatch({ mode: "nth", every: 3, packet: 1, invert: false });
    const hits = [1, 2, 3, 4, 5, 6, 7].filter((sequence) => xtStatistic.match(match, context(sequence), 1));
    expect(hits).toEqual([2, 5]);
  });

  it("random: replays exactly and matches about as often as the probability", () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 1, noNaN: true }), (probability) => {
        const draw = () => {
          const match = createStatisticMatch({ mode: "random", probability: statisticProbability(probability), invert: false });
          return Array.from({ length: 400 }, (_, index) => xtStatistic.match(match, context(index), 3));
        };
        const first = draw();
        expect(draw()).toEqual(first);
        const share = first.filter(Boolean).length / first.length;
        expect(Math.abs(share - probability)).toBeLessThan(0.12);
      }),
      { numRuns: 40 },
    );
  });
});
