// iptables-restore (iptables/iptables-restore.c, nft-shared restore via
// xtables-restore.c): `*table`, `:CHAIN POLICY [p:b]`, rule lines in iptables
// syntax, `COMMIT`. Each table is replaced whole unless --noflush; nothing
// changes when a line fails (one transaction). Text read from stdin (a
// here-document or `< FILE`).
import type { TableName } from "../../model/netfilter.js";
import type { IptablesCommand, IptablesRestore } from "../../model/operations.js";
import { applyOperation, createTable, isBuiltinChain } from "../../net/index.js";
import { CommandError, done, UnsupportedError, type CommandEnvironment, type CommandOutcome } from "../command.js";
import { IPTABLES_VERSION, IptablesParser, KNOWN_TABLES } from "./iptables-parse.js";
import { missingRuleSet } from "./libxt-set.js";

const PROGRAM = "iptables-restore";

/** Splits a rule line into words as iptables-restore does (add_param_to_argv): double quotes group, backslash escapes a quote. */
export function splitRestoreLine(line: string): string[] {
  const words: string[] = [];
  let current = "";
  let quoted = false;
  let has = false;
  for (let index = 0; index < line.length; index++) {
    const character = line[index]!;
    if (character === "\\" && (line[index + 1] === '"' || line[index + 1] === "\\" || line[index + 1] === "'")) {
      current += line[++index];
      has = true;
      continue;
    }
    if (character === '"') {
      quoted = !quoted;
      has = true;
      continue;
    }
    if (!quoted && (character === " " || character === "\t")) {
      if (has) words.push(current);
      current = "";
      has = false;
      continue;
    }
    current += character;
    has = true;
  }
  if (has) words.push(current);
  return words;
}

function lineProblem(message: string, line: number): CommandError {
  return new CommandError(`${PROGRAM} ${IPTABLES_VERSION}: ${message}\nError occurred at line: ${line}\nTry \`${PROGRAM} -h' or '${PROGRAM} --help' for more information.\n`, 2);
}

function lineFailed(line: number, detail?: string): CommandError {
  return new CommandError(`${PROGRAM}: line ${line} failed${detail ? `: ${detail}` : ""}\n`, 1);
}

interface Section {
  name: TableName;
  chains: { name: string; policy?: "ACCEPT" | "DROP" }[];
  commands: IptablesCommand[];
  /** For each command, the line it came from and the chain it jumps to (checked at COMMIT). */
  jumps: { line: number; chain: string }[];
  known: Set<string>;
}

export function iptablesRestore(argv: readonly string[], environment: CommandEnvironment): CommandOutcome {
  let noflush = false;
  for (const word of argv) {
    if (word === "-n" || word === "--noflush") noflush = true;
    else if (word === "-w" || word === "--wait") continue;
    else if (word.startsWith("-")) throw new UnsupportedError(word, `iptables-restore ${word} is not modelled`);
    else throw new UnsupportedError(word, "iptables-restore reading a file operand is not modelled; feed it on stdin (iptables-restore < FILE)");
  }
  const namespace = environment.namespace;
  const lines = environment.stdin.split("\n");
  const sections: Section[] = [];
  let section: Section | undefined;
  const parser = new IptablesParser(PROGRAM);
  for (let index = 0; index < lines.length; index++) {
    const number = index + 1;
    const line = lines[index]!.trim();
    if (line === "" || line.startsWith("#")) continue;
    if (line.startsWith("*")) {
      const name = line.slice(1).trim();
      if (name === "security") throw new UnsupportedError("security", "the iptables security table is not modelled");
      if (!KNOWN_TABLES.has(name)) throw lineProblem(`${PROGRAM}: line ${number} table name '${name}' invalid`, number);
      const existing = namespace.netfilter?.tables.get(name as TableName);
      const base = existing && noflush ? existing : createTable(name as TableName);
      section = { name: name as TableName, chains: [], commands: [], jumps: [], known: new Set(base.chains.keys()) };
      continue;
    }
    if (!section) throw lineFailed(number);
    if (line === "COMMIT") {
      for (const jump of section.jumps) {
        if (!section.known.has(jump.chain)) throw lineProblem(`Chain '${jump.chain}' does not exist`, number);
      }
      sections.push(section);
      section = undefined;
      continue;
    }
    if (line.startsWith(":")) {
      const [nameText = "", policy = ""] = line.slice(1).split(/\s+/);
      if (isBuiltinChain(section.name, nameText)) {
        if (policy !== "ACCEPT" && policy !== "DROP") throw lineFailed(number, "Bad policy name.");
        section.chains.push({ name: nameText, policy });
      } else {
        if (nameText.length > 28) throw lineProblem(`chain name \`${nameText}' too long (must be under 29 chars)`, number);
        section.chains.push({ name: nameText });
        section.known.add(nameText);
      }
      continue;
    }
    let parsed;
    try {
      parsed = parser.parse(["-t", section.name, ...splitRestoreLine(line)]);
    } catch (error) {
      if (error instanceof CommandError && error.exitCode === 2) {
        const message = error.text.split("\n")[0]!.replace(`${PROGRAM} ${IPTABLES_VERSION}: `, "");
        throw lineProblem(message, number);
      }
      throw error;
    }
    const missingSet = missingRuleSet(parsed.rule, namespace);
    if (missingSet !== undefined) throw lineProblem(`Set ${missingSet} doesn't exist.
`, number);
    const chain = parsed.chain ?? "";
    if (parsed.jumpChain !== undefined) section.jumps.push({ line: number, chain: parsed.jumpChain });
    const rule = parsed.rule && environment.origin ? { ...parsed.rule, origin: environment.origin } : parsed.rule;
    // A line with several -s/-d addresses is one rule per pair.
    const rules = (parsed.rules ?? []).map((each) => (environment.origin ? { ...each, origin: environment.origin } : each));
    switch (parsed.command) {
      case "A":
        for (const each of rules) section.commands.push({ kind: "append", chain, rule: each });
        break;
      case "I":
        for (const each of rules) section.commands.push({ kind: "insert", chain, position: parsed.number ?? 1, rule: each });
        break;
      case "D":
        if (parsed.number !== undefined) section.commands.push({ kind: "delete-number", chain, number: parsed.number });
        else for (const each of rules) section.commands.push({ kind: "delete-rule", chain, rule: each });
        break;
      case "R":
        section.commands.push({ kind: "replace", chain, number: parsed.number!, rule: rule! });
        break;
      case "F":
        section.commands.push({ kind: "flush", ...(parsed.chain !== undefined ? { chain } : {}) });
        break;
      case "Z":
        section.commands.push({ kind: "zero", ...(parsed.chain !== undefined ? { chain } : {}) });
        break;
      case "N":
        section.commands.push({ kind: "new-chain", chain });
        section.known.add(chain);
        break;
      case "X":
        section.commands.push({ kind: "delete-chain", ...(parsed.chain !== undefined ? { chain } : {}) });
        break;
      case "P":
        if (parsed.policy !== "ACCEPT" && parsed.policy !== "DROP") throw lineFailed(number, "Bad policy name.");
        section.commands.push({ kind: "policy", chain, policy: parsed.policy });
        break;
      case "E":
        section.commands.push({ kind: "rename-chain", chain, newName: parsed.newName! });
        break;
      default:
        throw lineFailed(number);
    }
  }
  if (section) throw new CommandError(`${PROGRAM}: COMMIT expected at line ${lines.length + (environment.stdin.endsWith("\n") ? 0 : 1)}\n`, 1);
  const operation: IptablesRestore = {
    op: "iptables-restore",
    namespaceId: namespace.id,
    noflush,
    tables: sections.map((item) => ({ name: item.name, chains: item.chains, commands: item.commands })),
    ...(environment.origin ? { origin: environment.origin } : {}),
  };
  const result = applyOperation(environment.world, operation);
  if (!result.ok) throw new CommandError(`${PROGRAM}: line ${lines.length} failed\n`, 1);
  return done("");
}
