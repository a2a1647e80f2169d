// `netsim run` as a user runs it: the built command, its output, exit
// status, --trace, --json and --junit.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { spawnSync } from "node:child_process";
import { beforeAll, describe, expect, it } from "vitest";
import { NETSIM, REPOSITORY, runNetsim } from "../support/netsim-cli.js";

function netsim(...args: string[]) {
  return runNetsim(args);
}

describe("netsim run", () => {
  let folder: string;
  beforeAll(() => {
    folder = mkdtempSync(join(tmpdir(), "netsim-cli-"));
  });

  it("prints what the commands print and closes with the expectation count, exit 0", () => {
    const result = netsim("run", "scenarios/walkthrough/01-netns-veth.sh");
    expect(result.status).toBe(0);
    expect(result.stdout).toContain("64 bytes from 172.18.0.11: icmp_seq=1 ttl=64");
    // iputils prints it on stderr (recorded on the kernel: `ping ... 2>&1 >/dev/null` shows it).
    expect(result.stderr).toContain("ping: connect: Network is unreachable\n");
    expect(result.stdout).not.toContain("ping: connect");
    expect(result.stdout.trimEnd().split("\n").at(-1)).toBe("3 passed, 0 failed");
  });

  it("exits 1 with a diff-style report when an expectation fails", () => {
    const file = join(folder, "wrong.sh");
    writeFileSync(file, "ping -c 1 127.0.0.1   # expect: no-reply\n");
    const result = netsim("run", file);
    expect(result.status).toBe(1);
    expect(result.stdout).toMatch(/wrong\.sh:1: expected no-reply, got reply\n-   # expect: no-reply\n\+   reply   \(ping -c 1 127\.0\.0\.1, exit 0\)\n/);
    expect(result.stdout.trimEnd().split("\n").at(-1)).toBe("0 passed, 1 failed");
  });

  it("exits 2 on bad input, naming file, line and word", () => {
    const file = join(folder, "bad.sh");
    writeFileSync(file, "ip netns add a\nip link add x type vxlan id 1\n");
    const result = netsim("run", file);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/bad\.sh:2: netsim: link type "vxlan" is not modelled \(at "vxlan"\)/);
    expect(netsim("run").status).toBe(2);
    expect(netsim("run", join(folder, "missing.sh")).status).toBe(2);
  });

  // What the tools print on stderr (recorded on the kernel: `CMD 2>&1 >/dev/null` shows each of these lines,
  // and `x=$(ip link show nosuch9)` leaves x empty) is on netsim's stderr, in order with the stdout lines.
  it("puts the scenario's stderr on stderr and its stdout on stdout, in the order written", () => {
    const file = join(folder, "streams.sh");
    writeFileSync(file, 'echo first\nip link show nosuch0\necho second\nfor i in 1 2; do echo loop$i; ip link show nosuch$i; done\nx=$(ip link show nosuch9)\necho "x=[$x]"\nip link show nosuch5 | cat\niptables -A NOSUCH -j ACCEPT\necho last\n');
    const result = netsim("run", file);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^first\nsecond\nloop1\nloop2\nx=\[\]\nlast\n/);
    expect(result.stdout).not.toContain("does not exist");
    expect(result.stderr).toMatch(/^Device "nosuch0" does not exist\.\nDevice "nosuch1" does not exist\.\nDevice "nosuch2" does not exist\.\nDevice "nosuch9" does not exist\.\nDevice "nosuch5" does not exist\.\niptables: No chain\/target\/match by that name\.\n/);
    // Both into one pipe: the chunks come in the order the scenario wrote them.
    const merged = spawnSync("bash", ["-c", `node ${JSON.stringify(NETSIM)} run ${JSON.stringify(file)} 2>&1`], { cwd: REPOSITORY, encoding: "utf8" });
    // --json: one JSON document on stdout, the chunks in its streams.
    const json = netsim("run", "--json", file);
    expect(json.stderr).toBe("");
    const scenario = (JSON.parse(json.stdout) as { scenarios: Array<{ streams: unknown[] }> }).scenarios[0]!;
    expect(scenario.streams.slice(0, 3)).toEqual([{ stream: "stdout", text: "first\n" }, { stream: "stderr", text: 'Device "nosuch0" does not exist.\n' }, { stream: "stdout", text: "second\nloop1\n" }]);
    expect(merged.stdout).toMatch(/^first\nDevice "nosuch0" does not exist\.\nsecond\nloop1\nDevice "nosuch1" does not exist\.\nloop2\nDevice "nosuch2" does not exist\.\nDevice "nosuch9" does not exist\.\nx=\[\]\nDevice "nosuch5" does not exist\.\niptables: No chain\/target\/match by that name\.\nlast\n/);
  });

  it("says an unmodelled form once, on stderr, with one netsim: prefix", () => {
    const file = join(folder, "unmodelled.sh");
    writeFileSync(file, "echo before\nip link add vx0 type vxlan id 42\n");
    const result = netsim("run", file);
    expect(result.status).toBe(2);
    expect(result.stdout).not.toContain("vxlan");
    const lines = result.stderr.split("\n").filter((line) => line.includes("vxlan"));
    expect(lines).toEqual([`${relative(REPOSITORY, file).startsWith("..") ? file : relative(REPOSITORY, file)}:2: netsim: link type "vxlan" is not modelled (at "vxlan")`]);
  });

  it("refuses exec >FILE by name: the commands after it would not write to FILE", () => {
    const file = join(folder, "exec.sh");
    writeFileSync(file, "exec 2>/dev/null\nip link show nosuch0\n");
    const result = netsim("run", file);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(`exec.sh:1: netsim: exec with a redirection of stdout or stderr (the whole shell's) is not modelled (at "2>")`);
  });

  it("--trace shows the duplicate-/16 lookup choosing veth0 and ARP going unanswered", () => {
    const result = netsim("run", "--trace", "scenarios/walkthrough/02-second-netns.sh");
    expect(result.status).toBe(0);
    const trace = result.stdout.slice(result.stdout.indexOf("trace: ping -c 1 172.18.0.20"));
    expect(trace).toContain("2 routes for 172.18.0.0/16 with metric 0 (dev veth0, dev veth1); the kernel takes the first in the list: 172.18.0.0/16 dev veth0");
    expect(trace).toContain("who-has 172.18.0.20? tell 172.18.0.11 (request 3 of 3)");
    expect(trace).toContain("[DROP NEIGH_FAILED]");
  });

  it("--json gives commands, outcomes and traces; --junit writes a test case per expectation", () => {
    const junit = join(folder, "report.xml");
    const result = netsim("run", "--json", "--junit", junit, "scenarios/walkthrough/06-default-route.sh");
    expect(result.status).toBe(0);
    const parsed = JSON.parse(result.stdout) as { scenarios: Array<{ commands: Array<{ probe?: { outcome: string; traceIndex?: number } }>; traces: unknown[]; expectations: unknown[] }> };
    const scenario = parsed.scenarios[0]!;
    const probe = scenario.commands.find((record) => record.probe)!.probe!;
    expect(probe.outcome).toBe("no-reply");
    expect(scenario.traces[probe.traceIndex!]).toBeDefined();
    const xml = readFileSync(junit, "utf8");
    expect(xml).toContain('<testsuite name="scenarios/walkthrough/06-default-route.sh" tests="1" failures="0" errors="0" skipped="0" time="0.000030">');
    expect(xml).toContain("expect no-reply");
  });

  it("--junit: time to the virtual clock's microsecond, so a reply in 80 µs is not 0", () => {
    const junit = join(folder, "bridge.xml");
    const result = netsim("run", "--junit", junit, "scenarios/walkthrough/03-bridge.sh");
    expect(result.status).toBe(0);
    // ping's own round trip (time=0.080 ms) is the trace's span from request to reply.
    const rtt = /^64 bytes from 172\.18\.0\.20: icmp_seq=1 ttl=64 time=([\d.]+) ms$/m.exec(result.stdout)![1]!;
    expect(readFileSync(junit, "utf8")).toContain(`name="scenarios/walkthrough/03-bridge.sh:14 expect reply" time="${(Number(rtt) / 1000).toFixed(6)}"/>`);
  });

  it("--junit: time attributes (virtual seconds), failure bodies with the expected/actual diff and the decisive step, failed commands without an expectation as failures", () => {
    const junit = join(folder, "failing.xml");
    const result = netsim("run", "--junit", junit, "test/explain/fixtures/misspelt-bridge.sh");
    expect(result.status).toBe(0);
    const xml = readFileSync(junit, "utf8");
    expect(xml).toContain('<testsuites name="netsim" tests="2" failures="1" errors="0" time="1.000000">');
    expect(xml).toContain('<testcase classname="test/explain/fixtures/misspelt-bridge.sh" name="test/explain/fixtures/misspelt-bridge.sh:10 expect no-reply" time="1.000000"/>');
    expect(xml).toContain(
      '<testcase classname="test/explain/fixtures/misspelt-bridge.sh" name="test/explain/fixtures/misspelt-bridge.sh:9 ip link set veth1 master bro0" time="0.000000">\n' +
        '      <failure message="exit 255 with no expectation on the line" type="command">ip link set veth1 master bro0 (in the root namespace) exited 255\nstderr: Error: argument &quot;bro0&quot; is wrong: Device does not exist</failure>',
    );
    const wrong = join(folder, "wrong-expectation.sh");
    writeFileSync(wrong, readFileSync("test/explain/fixtures/misspelt-bridge.sh", "utf8").replace("# expect: no-reply", "# expect: reply"));
    for (const name of ["netns0.sh", "netns1.sh"]) {
      mkdirSync(join(folder, "lib"), { recursive: true });
      writeFileSync(join(folder, "lib", name), readFileSync(`test/explain/fixtures/lib/${name}`, "utf8"));
    }
    netsim("run", "--junit", junit, wrong);
    const failing = readFileSync(junit, "utf8");
    expect(failing).toContain(
      '<failure message="expected reply, got no-reply" type="expectation">-   # expect: reply\n+   no-reply   (ping -c 1 -W 1 172.18.0.20, exit 1)\ndecisive step 7 at 10µs, (root)/br0 br_flood: ff:ff:ff:ff:ff:ff is broadcast: br0 floods it to no other forwarding port</failure>',
    );
    // The same report on every run.
    const again = join(folder, "again.xml");
    netsim("run", "--junit", again, wrong);
    expect(readFileSync(again, "utf8")).toBe(failing);
  });
});
