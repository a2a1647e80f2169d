import { describe, expect, it } from "vitest";
import { mainLine, stageComments, takeSnapshots } from "../../../src/render/diagram/scenario-stages.js";
import { pictureBookHtml } from "../../../src/render/diagram/picture-book.js";

const PATH = "/virtual/staged.sh";
const PRELUDE = "/virtual/prelude.sh";
const SCRIPT = [
  /* 1 */ ". ./prelude.sh",
  /* 2 */ "# stage: a namespace with a cable",
  /* 3 */ "ip link set va up",
  /* 4 */ "ip -n a link set vb up",
  /* 5 */ "ip -n a addr add 10.0.0.2/24 dev vb",
  /* 6 */ "ping -c 1 10.0.0.2   # expect: reply",
  /* 7 */ "for n in 1 2; do ip -n a addr add 10.0.$n.2/24 dev vb; done",
  /* 8 */ "ip link set va down",
  "",
].join("\n");
const files = { [PATH]: SCRIPT, [PRELUDE]: "ip netns add a\nip link add va type veth peer name vb netns a\nip addr add 10.0.0.1/24 dev va\n" };

const addressesOf = (world: import("../../../src/model/world.js").World, name: string) =>
  [...[...world.namespaces.values()].find((namespace) => namespace.name === "a")!.devices.values()].find((device) => device.name === name)?.addresses.length;

describe("takeSnapshots", () => {
  it("finds `# stage:` comments", () => {
    expect([...stageComments("a\n  #  stage:  one \n# stage:two\n# not a stage\n")]).toEqual([
      [2, "one"],
      [3, "two"],
    ]);
  });

  it("takes the state after a line, not before it nor after the next", async () => {
    for (const [line, count] of [[4, 0], [5, 1], [6, 1], [7, 3], [100, 3]] as const) {
      const { at } = await takeSnapshots(PATH, { files, atLine: line });
      expect(addressesOf(at!, "vb"), `after line ${line}`).toBe(count);
    }
  });

  it("takes a stage at each comment, after each probe and at the end, in order", async () => {
    const { stages, run } = await takeSnapshots(PATH, { files, stages: true });
    expect(stages.map((stage) => [stage.number, stage.kind, stage.line, stage.title])).toEqual([
      [1, "comment", 2, "a namespace with a cable"],
      [2, "probe", 6, "ping -c 1 10.0.0.2"],
      [3, "end", 8, "the end of the scenario"],
    ]);
    // The comment's stage has the prelude's work and nothing after it.
    expect(addressesOf(stages[0]!.world, "vb")).toBe(0);
    expect(stages[0]!.commands.map(mainLine)).toEqual([1, 1, 1]);
    expect(stages[1]!.probe?.record.probe?.outcome).toBe("reply");
    expect(stages[1]!.probe?.trace?.probe).toBe("ping -c 1 10.0.0.2");
    expect(stages[1]!.commands.map(mainLine)).toEqual([3, 4, 5, 6]);
    expect(addressesOf(stages[2]!.world, "vb")).toBe(3);
    // Snapshots are copies: the end state differs from the probe's.
    expect(addressesOf(stages[1]!.world, "vb")).toBe(1);
    const html = pictureBookHtml(run.file, SCRIPT, stages);
    expect(html.indexOf('src="stage-01.svg"')).toBeLessThan(html.indexOf('src="stage-02.svg"'));
    expect(html).toContain("(3 commands)");
    expect(html).toContain("ip -n a addr add 10.0.0.2/24 dev vb");
    expect(html).toContain('<span class="outcome reply">reply</span>');
  });
});
