// normaliseTcpdumpOutput: two captures of the same exchange by tcpdump on
// the kernel (test/fixtures/tcpdump/router-capture.txt, sections o1 and o2
// are two tcpdumps of one run; bridge-capture.txt another run) agree once
// timestamps, MACs, ids, ephemeral ports, ISNs and TS values are normalised,
// and what the scenario decides (addresses, flags, windows, lengths) stays.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { normaliseTcpdumpOutput } from "../../../src/backends/kernel/normalise.js";

describe("normaliseTcpdumpOutput", () => {
  it("leaves placeholders for what the kernel picks, in order of appearance", () => {
    const text = [
      "15:33:53.271449 IP 10.1.0.1.54082 > 10.2.0.1.8080: Flags [S], seq 2104603188, win 64240, options [mss 1460,sackOK,TS val 1541232113 ecr 0,nop,wscale 10], length 0",
      "15:33:53.271518 IP 10.2.0.1.8080 > 10.1.0.1.54082: Flags [S.], seq 34932267, ack 2104603189, win 65160, options [mss 1460,sackOK,TS val 3032895285 ecr 1541232113,nop,wscale 10], length 0",
      "15:33:53.271545 IP 10.1.0.1.54082 > 10.2.0.1.8080: Flags [.], ack 1, win 63, options [nop,nop,TS val 1541232113 ecr 3032895285], length 0",
      "15:33:48.735529 b2:bd:ed:be:e4:30 > ff:ff:ff:ff:ff:ff, ARP, length 42: Request who-has 10.1.0.254 tell 10.1.0.1, length 28",
      "15:33:49.756912 IP 10.1.0.1 > 10.2.0.1: ICMP echo request, id 36, seq 1, length 64",
      "",
    ].join("\n");
    expect(normaliseTcpdumpOutput(text)).toBe(
      [
        "IP 10.1.0.1.<port1> > 10.2.0.1.8080: Flags [S], seq <isn>, win 64240, options [mss 1460,sackOK,TS val <ts> ecr 0,nop,wscale 10], length 0",
        "IP 10.2.0.1.8080 > 10.1.0.1.<port1>: Flags [S.], seq <isn>, ack <isn>, win 65160, options [mss 1460,sackOK,TS val <ts> ecr <ts>,nop,wscale 10], length 0",
        "IP 10.1.0.1.<port1> > 10.2.0.1.8080: Flags [.], ack 1, win 63, options [nop,nop,TS val <ts> ecr <ts>], length 0",
        "<mac1> > ff:ff:ff:ff:ff:ff, ARP, length 42: Request who-has 10.1.0.254 tell 10.1.0.1, length 28",
        "IP 10.1.0.1 > 10.2.0.1: ICMP echo request, id <id1>, seq 1, length 64",
        "",
      ].join("\n"),
    );
  });

  it("makes two kernel captures of different runs of the same ping agree", () => {
    const pings = (file: string, section: string) => {
      const text = readFileSync(new URL(`../../fixtures/tcpdump/${file}`, import.meta.url), "utf8");
      const start = text.indexOf(`== ${section}\n`);
      const lines = text.slice(start).split("\n").slice(1);
      return lines.slice(0, lines.indexOf("")).filter((line) => line.includes("ICMP echo")).join("\n");
    };
    const first = normaliseTcpdumpOutput(pings("bridge-capture.txt", "o1"));
    expect(first.split("\n").filter(Boolean)).toHaveLength(4);
    expect(first).toBe(normaliseTcpdumpOutput(pings("bridge-capture.txt", "o2").replace(/ [0-9a-f:]{17} > [0-9a-f:]{17}, ethertype IPv4 \(0x0800\), length 98: /g, " IP ")));
  });
});
