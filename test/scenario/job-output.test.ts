// A job's output comes when virtual time reaches it (src/scenario/jobs.ts,
// the runner's flush points), interleaved with what the shell prints, as
// bash shows it: each scenario of test/fixtures/job-output beside the
// output real bash gave in the kernel sandbox (NAME.kernel.txt, stdout and
// stderr to one file, as the kernel backend records a run; the same order
// in three runs each). What differs from run to run on the kernel is masked
// on both sides: round-trip times, tcpdump's wall-clock stamps, ping's echo
// id and elapsed time, and tcpdump's "received by filter" count (the
// kernel counts lo's frames twice there).
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { JOB_OUTPUT_LATENCY } from "../../src/scenario/jobs.js";
import { ScenarioSimulator } from "../../src/scenario/runner.js";

const FIXTURES = join(import.meta.dirname, "..", "fixtures", "job-output");

function masked(output: string): string {
  return output
    .replace(/time=[\d.]+ ms/g, "time=_ ms")
    .replace(/^\d\d:\d\d:\d\d\.\d{6} /gm, "_ ")
    .replace(/, id \d+, /g, ", id _, ")
    .replace(/, time \d+ms$/gm, ", time _ms")
    .replace(/^rtt min\/avg\/max\/mdev = .*$/gm, "rtt _")
    .replace(/^\d+ packets? received by filter$/gm, "_ received by filter");
}

async function simulate(text: string) {
  return new ScenarioSimulator({ files: { "/s/main.sh": text } }).run("/s/main.sh");
}

describe("job output in time (recorded from bash on the kernel)", () => {
  for (const name of readdirSync(FIXTURES).filter((file) => file.endsWith(".sh"))) {
    it(name, async () => {
      const result = await simulate(readFileSync(join(FIXTURES, name), "utf8"));
      expect(result.problems).toEqual([]);
      expect(masked(result.output)).toBe(masked(readFileSync(join(FIXTURES, name.replace(/\.sh$/, ".kernel.txt")), "utf8")));
    });
  }
});

// The rules where the kernel's timing cannot be equal (jobs.ts, take): checked on the virtual clock alone.
describe("job output rules", () => {
  it("a job's line at the time the shell prints comes after the shell's; before a later print it comes first", async () => {
    // The ping job sends at 0 s and 1 s (on lo, the reply at the same microsecond): at 1 s the shell's echo comes first.
    const result = await simulate(["ip netns add a", "ip -n a link set lo up", "ip netns exec a ping -c 2 127.0.0.1 &", "echo at0", "sleep 1", "echo at1", "sleep 0.5", "echo at1.5", "wait"].join("\n"));
    const lines = result.output.split("\n");
    expect(lines.slice(0, 4)).toEqual(["at0", "PING 127.0.0.1 (127.0.0.1) 56(84) bytes of data.", expect.stringContaining("icmp_seq=1 "), "at1"]);
    // The second reply ends the ping at 1 s: its summary comes then too, before the echo at 1.5 s.
    expect(lines[4]).toContain("icmp_seq=2 ");
    expect(lines.slice(5, 7)).toEqual(["", "--- 127.0.0.1 ping statistics ---"]);
    expect(lines[9]).toBe("at1.5");
  });

  it("a job's line comes after what the shell prints within JOB_OUTPUT_LATENCY of it, before what it prints later", async () => {
    expect(JOB_OUTPUT_LATENCY).toBe(1000);
    // On lo the model's ping prints its header, reply and summary at its start (0 µs).
    const result = await simulate(["ip netns add a", "ip -n a link set lo up", "ip netns exec a ping -c 1 127.0.0.1 &", "sleep 0.0009", "echo at900us", "sleep 0.0002", "echo at1100us", "wait"].join("\n"));
    const lines = result.output.split("\n");
    expect(lines[0]).toBe("at900us");
    expect(lines[1]).toBe("PING 127.0.0.1 (127.0.0.1) 56(84) bytes of data.");
    expect(lines.indexOf("at1100us")).toBe(lines.findIndex((line) => line.startsWith("rtt ")) + 1);
  });

  it("wait shows what the job printed up to its exit before the next line", async () => {
    const result = await simulate(["ip netns add a", "ip -n a link set lo up", "ip netns exec a tcpdump -n -l -i lo &", "sleep 1", "kill $!", "echo killed", "wait", "echo waited"].join("\n"));
    // tcpdump's cleanup() writes a blank line on stdout, then its statistics on stderr.
    expect(result.output.split("\n").slice(-7)).toEqual(["killed", "", "0 packets captured", "0 packets received by filter", "0 packets dropped by kernel", "waited", ""]);
  });

  it("a job started with its stdout redirected shows nothing later; its stderr still comes", async () => {
    const result = await simulate(["ip netns add a", "ip -n a link set lo up", "ip netns exec a ping -c 2 127.0.0.1 > /dev/null &", "sleep 1.5", "echo mid", "wait", "echo end"].join("\n"));
    expect(result.output).toBe("mid\nend\n");
  });

  it("a job's lines go to the shell's stdout, not into a later command's capture or pipe", async () => {
    const result = await simulate(["ip netns add a", "ip -n a link set lo up", "ip netns exec a ping -c 2 127.0.0.1 &", "sleep 0.5", "x=$(sleep 1; echo inner)", "echo \"x=$x\"", "sleep 1 | cat", "wait"].join("\n"));
    expect(result.output).toContain("x=inner\n");
    expect(result.output.indexOf("icmp_seq=2 ")).toBeLessThan(result.output.indexOf("x=inner"));
  });

  it("a foreground ping's lines and a tcpdump -l job's interleave by time, whatever the foreground's stdout: sent to a file, the job's lines still show", async () => {
    const lines = ["ip netns add a", "ip -n a link set lo up", "ip netns exec a tcpdump -n -l -i lo icmp &", "sleep 1", "ip netns exec a ping -c 2 127.0.0.1 > /tmp/p.txt", "echo after", "kill %1", "wait"];
    const result = await simulate(lines.join("\n"));
    const shown = result.output.split("\n").filter((line) => !line.startsWith("tcpdump:") && !line.startsWith("listening"));
    expect(shown.slice(0, 3)).toEqual([expect.stringContaining("echo request, id"), expect.stringContaining("echo reply, id"), "after"]);
  });
});
