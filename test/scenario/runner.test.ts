// The scenario runner: real bash through the embedded interpreter, locations
// through sourced files and functions, expectations, and bad input.
import { describe, expect, it } from "vitest";
import { ScenarioSimulator } from "../../src/scenario/runner.js";
import { simulate, TWO_HOSTS } from "../support/simulate.js";

describe("scenario runner", () => {
  it("runs variables, loops, functions, here-documents and sourced files, locating each command", async () => {
    const main = [
      ". ./lib/setup.sh",
      "make_pair() {",
      '  ip link add "$1" type veth peer name "$2"',
      "}",
      "for n in 1 2; do",
      "  make_pair v$n p$n",
      "done",
      "cat <<END",
      "made $COUNT pairs",
      "END",
      "ip link show v2   # expect: ok",
      "",
    ].join("\n");
    const run = await new ScenarioSimulator({ files: { "/s/main.sh": main, "/s/lib/setup.sh": "COUNT=2\nip netns add n1\n" } }).run("/s/main.sh");
    expect(run.problems).toEqual([]);
    expect(run.output).toContain("made 2 pairs\n");
    const netnsAdd = run.commands.find((record) => record.argv.join(" ") === "ip netns add n1")!;
    expect(netnsAdd.location).toEqual({ file: expect.stringMatching(/lib\/setup\.sh$/), line: 2 });
    expect(netnsAdd.callers).toEqual([{ file: expect.stringMatching(/main\.sh$/), line: 1 }]);
    const linkAdds = run.commands.filter((record) => record.argv[1] === "link" && record.argv[2] === "add");
    expect(linkAdds.map((record) => [record.location.line, record.callers.map((caller) => caller.line)])).toEqual([
      [3, [6]],
      [3, [6]],
    ]);
    expect(run.expectations).toEqual([{ location: { file: expect.stringMatching(/main\.sh$/), line: 11 }, expected: "ok", actual: "ok", ok: true, comment: "" }]);
  });

  it("checks expectations: a met one, a failed one, and one on a line where nothing ran", async () => {
    const run = await simulate(
      [
        "ip link add veth0 type veth peer name p0   # expect: ok",
        "ip link add veth0 type veth peer name p1   # expect: ok   (but it exists)",
        "echo nothing networked here                # expect: error",
        "ip route add default via 10.9.9.9          # expect: error",
        "",
      ].join("\n"),
    );
    expect(run.expectations.map((result) => [result.location.line, result.expected, result.actual, result.ok])).toEqual([
      [1, "ok", "ok", true],
      [2, "ok", "error", false],
      [3, "error", "missing", false],
      [4, "error", "error", true],
    ]);
    expect(run.expectations[1]!.comment).toBe("(but it exists)");
  });

  it("attributes a probe inside a function to the line that called it", async () => {
    const run = await simulate(['probe() { ping -c 1 "$1"; }', "probe 127.0.0.1   # expect: reply", "probe 10.9.9.9    # expect: unreachable", ""].join("\n"));
    expect(run.expectations.map((result) => [result.actual, result.ok])).toEqual([
      ["reply", true],
      ["unreachable", true],
    ]);
  });

  it("runs `ip netns exec` and nsenter commands in that namespace", async () => {
    const run = await simulate(
      ["ip netns add n1", "ip netns exec n1 ip link set lo up", "nsenter --net=/var/run/netns/n1 ip -br addr", "ip netns exec n1 bash -c 'ip link show lo; ip netns identify'", ""].join("\n"),
    );
    expect(run.commands.filter((record) => record.namespace === "n1").map((record) => record.argv.join(" "))).toEqual(["ip link set lo up", "ip -br addr", "ip link show lo", "ip netns identify"]);
    expect(run.output).toContain("lo               UNKNOWN        127.0.0.1/8 ::1/128 \n");
  });

  it("refuses an unmodelled tool by name, with file and line, and stops", async () => {
    const run = await simulate("ip netns add n1\nss -tln\nip netns add n2\n");
    expect(run.problems).toEqual([
      { location: { file: expect.stringMatching(/scenario\.sh$/), line: 2 }, word: "ss", message: expect.stringMatching(/scenario\.sh:2: netsim: ss is not modelled \(at "ss"\)$/) },
    ]);
    expect(run.commands.map((record) => record.argv.join(" "))).toEqual(["ip netns add n1"]);
  });

  it("refuses an unmodelled option by name", async () => {
    const run = await simulate("ip link add vx0 type vxlan id 42\n");
    expect(run.problems[0]?.word).toBe("vxlan");
    expect(run.problems[0]?.message).toContain('scenario.sh:1: netsim: link type "vxlan" is not modelled');
  });

  it("reports a syntax error with file and line", async () => {
    const run = await simulate("ip netns add n1\nif then fi (\n");
    expect(run.problems).toHaveLength(1);
    expect(run.problems[0]!.message).toMatch(/scenario\.sh:2: syntax error/);
  });

  it("reports an unknown outcome after # expect:", async () => {
    const run = await simulate("ip netns add n1   # expect: sucess\n");
    expect(run.problems[0]!.message).toMatch(/scenario\.sh:1: unknown outcome "sucess"/);
  });

  it("replays byte for byte: same output, records and traces", async () => {
    const script = `${TWO_HOSTS}ip netns exec a ping -c 3 10.0.0.2\nip -n a link\n`;
    const first = await simulate(script, { tracing: true });
    const second = await simulate(script, { tracing: true });
    expect(JSON.stringify([second.output, second.commands, second.traces])).toBe(JSON.stringify([first.output, first.commands, first.traces]));
  });

  it("lets sleep advance the virtual clock, not the real one", async () => {
    const started = Date.now();
    const run = await simulate("sleep 100\n");
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(run.world.clock).toBe(100_000_000);
  });
});
