// Host tools netsim does not model are refused by name (file, line, word; exit 2),
// never "command not found" with the run going on; the ones it models are not on that list.
import { describe, expect, it } from "vitest";
import { NETWORK_COMMANDS, UNMODELLED_TOOLS } from "../../src/commands/registry.js";
import { simulate } from "../support/simulate.js";

describe("the command registry", () => {
  it("models sudo and net-tools, and lists no modelled command as unmodelled", () => {
    for (const name of ["sudo", "route", "ifconfig", "arp"]) expect(NETWORK_COMMANDS.has(name)).toBe(true);
    for (const name of UNMODELLED_TOOLS) expect(NETWORK_COMMANDS.has(name)).toBe(false);
  });

  it.each(["modprobe br_netfilter", "dig example.com", "nslookup example.com", "ss -tlnp", "ethtool -K eth0 tx off", "sudo ip6tables-legacy -L", "sudo netstat -rn"])("refuses `%s` by name and stops", async (line) => {
    const run = await simulate(`ip netns add a\n${line}\nip netns add b\n`);
    const word = line.replace(/^sudo /, "").split(" ")[0]!;
    expect(run.problems.map((problem) => problem.message)).toEqual([expect.stringMatching(new RegExp(`:2: netsim: ${word} is not modelled \\(at "${word}"\\)$`))]);
    expect(run.output).not.toMatch(/command not found/);
    expect(run.world.namespaces.size).toBe(2);
  });
});
