// What the user sees of src/scenario/transform.ts's rewrite: nothing. set -x,
// env, printenv, set, declare -p and export -p show the script as written and
// the user's variables only; the expected texts are /bin/bash 5.2's for the
// same script (`bash -x FILE` on the host: no networking command in them).
import { describe, expect, it } from "vitest";
import { ScenarioSimulator } from "../../src/scenario/runner.js";

const run = (files: Record<string, string>, main: string) => new ScenarioSimulator({ files }).run(main);

const traceLines = (output: string) => output.split("\n").filter((line) => line.startsWith("+"));

describe("the rewrite is not the user's to see", () => {
  it("set -x shows the commands as bash traces them, not netsim's assignments or helpers", async () => {
    const result = await run({ "/s/x.sh": "set -x\necho one\nwait\necho 1 > /proc/sys/net/ipv4/ip_forward\nip link add d0 type dummy\ntrap \"echo bye\" EXIT\nexit 3\n" }, "/s/x.sh");
    // bash 5.2 in the kernel sandbox, the same file (its stderr; the order among stdout lines is just-bash's).
    expect(traceLines(result.output)).toEqual(["+ echo one", "+ wait", "+ echo 1", "+ ip link add d0 type dummy", "+ trap 'echo bye' EXIT", "+ exit 3", "+ echo bye"]);
    expect(result.output.split("\n").filter((line) => !line.startsWith("+"))).toEqual(["one", "bye", ""]);
    expect(result.exitCode).toBe(3);
  });

  it("set -x through functions, sourced files, loops, pipes, $( ) and a job shows no name of netsim's", async () => {
    const files = { "/s/lib.sh": "g() { echo in g; }\n", "/s/y.sh": "set -x\n. ./lib.sh\nf() { g | cat; }\nfor i in 1 2; do f; done\nx=$(echo two)\nsleep 1 &\nwait\nexit\n" };
    const result = await run(files, "/s/y.sh");
    expect(result.output).not.toMatch(/__NETSIM|__netsim|netsim-loop/);
    expect(traceLines(result.output)).toContain("+ exit");
  });

  it("cat, head and read show the scenario's files as written, while the sourced file still runs located", async () => {
    const files = { "/s/lib.sh": 'g() {\n  for i in 1; do echo "in g $i"; done\n}\n', "/s/c.sh": '. ./lib.sh\ng\ncat lib.sh\nhead -1 c.sh\nwhile read -r l; do echo "[$l]"; done < lib.sh\nip link add d0 type dummy\n' };
    const result = await run(files, "/s/c.sh");
    // bash 5.2 on the host, the same files (without the last line's ip).
    expect(result.output).toBe('in g 1\ng() {\n  for i in 1; do echo "in g $i"; done\n}\n. ./lib.sh\n[g() {]\n[for i in 1; do echo "in g $i"; done]\n[}]\n');
    expect(result.commands.map((command) => [command.location.line, command.argv.join(" ")])).toEqual([[6, "ip link add d0 type dummy"]]);
  });

  it("a sourced function's command is located in its own file", async () => {
    const files = { "/s/lib.sh": "h() {\n  ip link add d1 type dummy\n}\n", "/s/d.sh": ". ./lib.sh\nh\n" };
    const result = await run(files, "/s/d.sh");
    expect(result.commands.map((command) => [command.location, command.callers])).toEqual([[{ file: "/s/lib.sh", line: 2 }, [{ file: "/s/d.sh", line: 2 }]]]);
  });

  it("env, printenv, set, declare -p and export -p list none of netsim's variables, as bash lists none", async () => {
    const result = await run({ "/s/v.sh": "X=1\nenv | grep -c NETSIM\nprintenv __NETSIM_AT; echo \"printenv $?\"\nset | grep -c NETSIM\ndeclare -p | grep -c NETSIM\nexport -p | grep -c NETSIM\nf() { env | grep -c NETSIM; }\nf\necho a | env | grep -c NETSIM\n" }, "/s/v.sh");
    // bash 5.2 on the host, the same file.
    expect(result.output).toBe("0\nprintenv 1\n0\n0\n0\n0\n0\n");
  });
});
