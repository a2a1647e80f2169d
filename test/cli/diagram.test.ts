import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { diagramCommand } from "../../src/cli/diagram.js";
import { loadGraphviz } from "../../src/render/diagram/svg.js";

const STAGE7 = "scenarios/walkthrough/07-ip-forward.sh";

/** Runs the command, catching what it writes. */
async function diagram(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const out = vi.spyOn(process.stdout, "write").mockImplementation((chunk) => ((stdout += String(chunk)), true));
  const err = vi.spyOn(process.stderr, "write").mockImplementation((chunk) => ((stderr += String(chunk)), true));
  try {
    return { code: await diagramCommand(argv), stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

describe("netsim diagram", () => {
  const folder = mkdtempSync(join(tmpdir(), "netsim-diagram-"));
  beforeAll(() => loadGraphviz());
  afterEach(() => vi.restoreAllMocks());
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  it("refuses bad input with exit 2 and says why", async () => {
    const cases: Array<[string[], string]> = [
      [[], "netsim diagram: no scenario given"],
      [[STAGE7, "--at"], "netsim diagram: --at needs a line number"],
      [[STAGE7, "--at", "0"], 'netsim diagram: --at: "0" is not a line number'],
      [[STAGE7, "--probe", "x"], 'netsim diagram: --probe: "x" is not a line number'],
      [[STAGE7, "--format", "png"], 'netsim diagram: unknown format "png" (svg, dot or mermaid)'],
      [[STAGE7, "--colour"], 'netsim diagram: unknown option "--colour"'],
      [[STAGE7, STAGE7], "netsim diagram: one scenario at a time (got 2)"],
      [[STAGE7, "--stages", folder, "--at", "3"], "netsim diagram: --stages draws every stage; it takes no --at, --probe or -o"],
      [["/nonexistent/x.sh"], "netsim diagram: /nonexistent/x.sh: No such file or directory"],
      [[STAGE7, "--at", "999"], `netsim diagram: --at 999: ${STAGE7} has 14 lines`],
      [[STAGE7, "--probe", "11"], `netsim diagram: --probe 11: line 11 of ${STAGE7} ran no probe`],
    ];
    for (const [argv, message] of cases) {
      const result = await diagram(...argv);
      expect(result.code, argv.join(" ")).toBe(2);
      expect(result.stderr.split("\n")[0]).toBe(message);
      expect(result.stdout).toBe("");
    }
  });

  it("refuses a scenario the simulator cannot take, naming file, line and word", async () => {
    const file = join(folder, "bad.sh");
    writeFileSync(file, "ip netns add a\nip link add x type vxlan id 5\n");
    const result = await diagram(file);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/bad\.sh:2: .*vxlan/);
  });

  it("prints SVG, dot or mermaid for the state after a line", async () => {
    const svg = await diagram(STAGE7, "--at", "10");
    expect(svg.code).toBe(0);
    expect(svg.stdout).toMatch(/^<\?xml[\s\S]*<\/svg>\n?$/);
    expect(svg.stdout).toContain("ip_forward=1");
    const before = await diagram(STAGE7, "--at", "9", "--format", "dot");
    expect(before.stdout).toMatch(/^digraph netsim \{/);
    expect(before.stdout).toContain("root namespace</b><br align=\"left\"/><font point-size=\"9\" color=\"#555555\">ip_forward=0");
    const mermaid = await diagram(STAGE7, "--probe", "12", "--format", "mermaid");
    expect(mermaid.stdout).toContain("flowchart TB");
    expect(mermaid.stdout).toContain('drop{{"✖ IP_OUTNOROUTES"}}');
  });

  it("writes to -o, and a picture book to --stages", async () => {
    const out = join(folder, "probe.svg");
    expect((await diagram(STAGE7, "--probe", "12", "-o", out)).code).toBe(0);
    const svg = readFileSync(out, "utf8");
    expect(svg).toContain('id="hop&#45;5"');
    expect(svg).toContain("IP_OUTNOROUTES");
    const book = join(folder, "book");
    const result = await diagram(STAGE7, "--stages", book);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`2 stages written to ${join(book, "index.html")}\n`);
    expect(readdirSync(book).sort()).toEqual(["index.html", "stage-01.svg", "stage-02.svg"]);
    const html = readFileSync(join(book, "index.html"), "utf8");
    expect(html).toContain("<h2>Stage 1: ping -c 1 -W 1 8.8.8.8 (in netns0) <span class=\"outcome no-reply\">no-reply</span></h2>");
    expect(html).toContain("echo 1 &gt; /proc/sys/net/ipv4/ip_forward");
  });
});
