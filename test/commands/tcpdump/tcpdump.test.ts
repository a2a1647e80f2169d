// tcpdump as a command: its options and errors, its filter subset against
// libpcap's own answers (test/fixtures/tcpdump/filters-and-errors.sh), and
// what it sees on a bridge with and without promiscuous mode against the
// kernel (promisc.sh).
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { CommandError, UnsupportedError } from "../../../src/commands/command.js";
import { compileFilter } from "../../../src/commands/tcpdump/filter.js";
import { normaliseTcpdumpOutput } from "../../../src/backends/kernel/normalise.js";
import { recordOf, simulate } from "../../support/simulate.js";

const fixture = (name: string) => readFileSync(new URL(`../../fixtures/tcpdump/${name}`, import.meta.url), "utf8");

/** Each `-- [EXPR]` case of filters-and-errors.txt: tcpdump -d's status and stderr. */
function filterCases(): { expression: string; status: number; stderr: string }[] {
  const text = fixture("filters-and-errors.txt");
  const block = text.slice(text.indexOf("== filters\n"), text.indexOf("== errors\n"));
  return [...block.matchAll(/^-- \[(.*)\]\nrc=(\d+)\n((?:(?!-- \[).*\n)*)/gm)].map((match) => ({ expression: match[1]!, status: Number(match[2]), stderr: match[3]! }));
}

/** The forms outside the subset: refused by name, never guessed at. */
const OUTSIDE_THE_SUBSET = new Set(["tcp[13] & 2 != 0", "ip6", "vlan", "ether host 00:11:22:33:44:55", "portrange 1-5", "ip proto 6", "less 100"]);

describe("tcpdump's filter expressions", () => {
  const cases = filterCases();

  it("reads the kernel sandbox's cases", () => {
    expect(cases.length).toBeGreaterThan(30);
  });

  for (const { expression, status, stderr } of cases) {
    it(`${JSON.stringify(expression)}: ${status === 0 ? "compiles" : stderr.trim()}`, () => {
      if (OUTSIDE_THE_SUBSET.has(expression)) {
        expect(() => compileFilter([expression])).toThrow(UnsupportedError);
        return;
      }
      if (status === 0) {
        expect(() => compileFilter([expression])).not.toThrow();
        return;
      }
      let thrown: unknown;
      try {
        compileFilter([expression]);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(CommandError);
      expect(`${(thrown as CommandError).text}\n`).toBe(stderr);
      expect((thrown as CommandError).exitCode).toBe(1);
    });
  }

  it("takes the other texts libpcap was asked in the sandbox (router-capture.sh)", () => {
    const errors = (expression: string) => {
      try {
        compileFilter([expression]);
        return "ok";
      } catch (error) {
        return error instanceof CommandError ? error.text : String(error);
      }
    };
    expect(errors("host foo")).toBe("tcpdump: unknown host 'foo'");
    expect(errors("tcp and udp")).toBe("tcpdump: expression rejects all packets");
    expect(errors("not tcp and tcp")).toBe("tcpdump: expression rejects all packets");
    expect(errors("udp port 80 and tcp")).toBe("tcpdump: expression rejects all packets");
    expect(errors("arp and port 80")).toBe("tcpdump: expression rejects all packets");
    expect(errors("ip host 10.0.0.1 and arp")).toBe("tcpdump: expression rejects all packets");
    expect(errors("arp and host 10.0.0.1")).toBe("ok");
    expect(errors("icmp port 80")).toBe("tcpdump: illegal qualifier of 'port'");
    expect(errors("tcp host 10.0.0.1")).toBe("tcpdump: 'tcp' modifier applied to host");
    expect(errors("host 10.0.0.1/24")).toBe('tcpdump: non-network bits set in "10.0.0.1/24"');
    expect(errors("net 10")).toBe("ok");
    expect(errors("port 80 or 443")).toBe("ok");
    expect(() => compileFilter(["src or dst host 10.0.0.1"])).toThrow(UnsupportedError);
  });
});

const BRIDGE = `
ip link add br0 type bridge
ip link set br0 up
for n in a b; do
  ip netns add $n
  ip link add v$n type veth peer name eth0 netns $n
  ip link set v$n master br0
  ip link set v$n up
  ip -n $n link set eth0 up
done
ip -n a addr add 10.0.0.1/24 dev eth0
ip -n b addr add 10.0.0.2/24 dev eth0
sleep 2
`;

function kernelSection(name: string): string {
  const text = fixture("promisc.txt");
  const start = text.indexOf(`== ${name}\n`) + name.length + 4;
  const end = text.indexOf("\n\n", start);
  return text.slice(start, end + 1);
}

describe("tcpdump on a bridge", () => {
  it("sees the frames the bridge forwards between its ports only in promiscuous mode, as the kernel (promisc.sh)", async () => {
    for (const [flags, section] of [["-p", "-p"], ["", "promiscuous"]] as const) {
      const run = await simulate(`${BRIDGE}tcpdump -i br0 -n -l ${flags} 'icmp or arp' &\nsleep 1\nip netns exec a ping -c 1 10.0.0.2\nsleep 1\n`);
      const record = recordOf(run, `tcpdump -i br0 -n -l ${flags ? `${flags} ` : ""}icmp or arp`);
      // The kernel's lines had their timestamps cut (cut -d' ' -f2-); MACs and ids are the kernel's picks.
      expect(normaliseTcpdumpOutput(record.stdout)).toBe(normaliseTcpdumpOutput(kernelSection(section)));
    }
  });

  it("with -t prints each line without its time of day: the kernel's lines with their timestamps cut (promisc.sh)", async () => {
    const run = await simulate(`${BRIDGE}tcpdump -t -i br0 -n -l 'icmp or arp' &\nsleep 1\nip netns exec a ping -c 1 10.0.0.2\nsleep 1\n`);
    const record = recordOf(run, "tcpdump -t -i br0 -n -l icmp or arp");
    expect(record.stdout.startsWith("ARP, Request who-has 10.0.0.2 tell 10.0.0.1")).toBe(true);
    expect(normaliseTcpdumpOutput(record.stdout)).toBe(normaliseTcpdumpOutput(kernelSection("promiscuous")));
  });

  it("refuses -tt and more -t by name (other clocks)", async () => {
    const run = await simulate(`${BRIDGE}tcpdump -tt -i br0 -n &\n`);
    expect(run.problems.map((problem) => problem.message)).toEqual([expect.stringContaining("tcpdump -tt")]);
  });

  it("prints its header lines, then stops after -c N with tcpdump's statistics", async () => {
    const run = await simulate(`${BRIDGE}tcpdump -i br0 -n -c 2 icmp &\nip netns exec a ping -c 3 10.0.0.2\n`);
    const record = recordOf(run, "tcpdump -i br0 -n -c 2 icmp");
    expect(record.exitCode).toBe(0);
    expect(record.stderr).toBe("tcpdump: verbose output suppressed, use -v[v]... for full protocol decode\nlistening on br0, link-type EN10MB (Ethernet), snapshot length 262144 bytes\n2 packets captured\n2 packets received by filter\n0 packets dropped by kernel\n");
    expect(record.stdout.split("\n").filter(Boolean).map((line) => line.replace(/^\S+ /, "").replace(/id \d+/, "id N"))).toEqual([
      "IP 10.0.0.1 > 10.0.0.2: ICMP echo request, id N, seq 1, length 64",
      "IP 10.0.0.2 > 10.0.0.1: ICMP echo reply, id N, seq 1, length 64",
    ]);
  });

  it("in the foreground with -c N, the shell waits for its N packets before the next line", async () => {
    const run = await simulate(`${BRIDGE}ip netns exec a ping -c 3 10.0.0.2 > /dev/null &\ntcpdump -i br0 -n -c 2 icmp\necho after\n`);
    const record = recordOf(run, "tcpdump -i br0 -n -c 2 icmp");
    expect(record.exitCode).toBe(0);
    expect(record.stdout.split("\n").filter(Boolean)).toHaveLength(2);
    expect(record.stderr).toMatch(/2 packets captured\n/);
    expect(run.output.indexOf("ICMP echo reply")).toBeGreaterThan(-1);
    expect(run.output.indexOf("ICMP echo reply")).toBeLessThan(run.output.indexOf("after\n"));
  });

  it("refuses a foreground -c N that nothing more will ever reach (bash would wait forever)", async () => {
    const run = await simulate(`${BRIDGE}tcpdump -i br0 -n -c 2 icmp\nip link set br0 down\n`);
    expect(run.problems.map((problem) => problem.word)).toEqual(["-c"]);
    // The run stops there, as at any refusal: the next line does not act.
    const bridge = [...run.world.namespaces.values()].flatMap((namespace) => [...namespace.devices.values()]).find((device) => device.name === "br0");
    expect(bridge?.adminUp).toBe(true);
  });

  it("leaves the device's promiscuity as it was once it has stopped", async () => {
    const run = await simulate(`${BRIDGE}tcpdump -i br0 -n -c 1 icmp &\nip netns exec a ping -c 1 10.0.0.2\n`);
    const bridge = [...run.world.namespaces.values()].flatMap((namespace) => [...namespace.devices.values()]).find((device) => device.name === "br0");
    expect(bridge?.promiscuity ?? 0).toBe(0);
  });

  it("answers tcpdump's errors as tcpdump does (filters-and-errors.txt)", async () => {
    const run = await simulate(`${BRIDGE}tcpdump -i nosuch -c 1\ntcpdump -i br0 -c x\ntcpdump -i br0 -c 0\nip link set br0 down\ntcpdump -i br0 -c 1\n`);
    expect(recordOf(run, "tcpdump -i nosuch -c 1")).toMatchObject({ exitCode: 1, stderr: "tcpdump: nosuch: No such device exists\n(No such device exists)\n" });
    expect(recordOf(run, "tcpdump -i br0 -c x")).toMatchObject({ exitCode: 1, stderr: "tcpdump: invalid packet count x\n" });
    expect(recordOf(run, "tcpdump -i br0 -c 0")).toMatchObject({ exitCode: 1, stderr: "tcpdump: invalid packet count 0\n" });
    // Measured on a veth that is down (td6 in the report): "That device is not up".
    expect(recordOf(run, "tcpdump -i br0 -c 1")).toMatchObject({ exitCode: 1, stderr: "tcpdump: br0: That device is not up\n" });
  });

  it("refuses by name what it does not model", async () => {
    for (const line of ["tcpdump -i br0 -w /tmp/x", "tcpdump -i any", "tcpdump icmp", "tcpdump -i br0 -v"]) {
      const run = await simulate(`${BRIDGE}${line}\n`);
      expect(run.problems.length, line).toBe(1);
    }
  });
});
