// Where a command stands, as bash locates it: a backslash-continued command at
// its first line (bash's $LINENO and BASH_LINENO there, measured with a DEBUG
// trap under set -T, which is how the kernel backend records lines), its
// expectation comment on the last line applying to it; a command inside
// $(...) at the line of the command that holds it.
import { describe, expect, it } from "vitest";
import { parseExpectations } from "../../src/scenario/expectations.js";
import { ScenarioSimulator } from "../../src/scenario/runner.js";

describe("command locations", () => {
  it("gives a continued command's expectation to its first line, in both backends' parser", () => {
    const text = "ip link add a \\\n  type dummy   # expect: ok\nip link add b type dummy   # expect: ok\necho a\\\\\nip link show x   # expect: error\n";
    expect([...parseExpectations(text).keys()]).toEqual([1, 3, 5]);
  });

  it("matches the expectation of a continued probe", async () => {
    const script = "ip link set lo up\nping -c 1 \\\n  -W 1 \\\n  127.0.0.1   # expect: reply\n";
    const run = await new ScenarioSimulator({ files: { "/s/c.sh": script } }).run("/s/c.sh");
    expect(run.expectations.map((expectation) => [expectation.location.line, expectation.ok])).toEqual([[2, true]]);
  });

  it("locates a command inside $(...) at its own line", async () => {
    const script = "echo start\n\nx=$(ip link show nosuch0)\ny=\"$(echo a; ip link show nosuch1)\"\n";
    const run = await new ScenarioSimulator({ files: { "/s/s.sh": script } }).run("/s/s.sh");
    expect(run.commands.map((record) => [record.argv.join(" "), record.location.line])).toEqual([
      ["ip link show nosuch0", 3],
      ["ip link show nosuch1", 4],
    ]);
  });
});
