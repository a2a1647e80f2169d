// nfacct(8) 1.0.2 (nfacct/src/nfacct.c): the extended accounting objects of
// the namespace (nfnetlink_acct). Commands are taken by prefix in nfacct's
// order (`l` is list, `d` delete); a kernel error is "error: STRERROR".
// Quotas, XML output, restore and monitor are refused by name.
import { STRERROR, type KernelResult } from "../model/errno.js";
import { nfnlAcctApply, type NfacctObject, type NfacctRequest } from "../net/index.js";
import { CommandError, done, UnsupportedError, type CommandEnvironment, type CommandOutcome } from "./command.js";

const PROGRAM = "nfacct v1.0.2";
const USAGE = "Usage: nfacct command [parameters]...\n";
const HELP = `${PROGRAM}: utility for the Netfilter extended accounting infrastructure
${USAGE}
Commands:
  list [reset]\t\tList the accounting object table (and reset)
  add object-name\tAdd new accounting object to table
  delete object-name\tDelete existing accounting object
  get object-name\tGet existing accounting object
  flush\t\t\tFlush accounting object table
  restore\t\tRestore accounting object table reading 'list' output from stdin
  monitor\t\tListens for quota attainment notifications
  version\t\tDisplay version and disclaimer
  help\t\t\tDisplay this help message
`;
const VERSION_TEXT = `${PROGRAM}: utility for the Netfilter extended accounting infrastructure
Copyright (C) 2011 Pablo Neira Ayuso <pablo@netfilter.org>
Copyright (C) 2011 Intra2net AG <http://www.intra2net.com>
This program comes with ABSOLUTELY NO WARRANTY.
This is free software, and you are welcome to redistribute it under certain 
conditions; see LICENSE file distributed in this package for details.
`;

/** main(): the first command whose name starts with the word. */
const COMMANDS = ["list", "add", "delete", "get", "flush", "restore", "monitor", "version", "help"] as const;

function problem(text: string): CommandError {
  return new CommandError(`${PROGRAM}: ${text}\n`, 1);
}

/** nfacct_nlmsg_snprintf(NFACCT_SNPRINTF_T_PLAIN) for an object without a quota. */
function formatObject(object: NfacctObject): string {
  const count = (value: number) => String(value).padStart(20, "0");
  return `{ pkts = ${count(object.counters.packets)}, bytes = ${count(object.counters.bytes)} } = ${object.name};\n`;
}

function request(environment: CommandEnvironment, asked: NfacctRequest): NfacctObject[] {
  const result: KernelResult<NfacctObject[]> = nfnlAcctApply(environment.namespace, asked);
  if (!result.ok) throw problem(`error: ${STRERROR[result.error.errno]}`);
  return result.value;
}

/** The words after the object's name (or after the command) that list and get take: `reset`, and `xml`, refused. */
function readFlags(words: readonly string[]): boolean {
  let reset = false;
  for (const word of words) {
    if (word === "reset") reset = true;
    else if (word === "xml") throw new UnsupportedError(word, "nfacct's xml output is not modelled");
    else throw problem("unknown argument");
  }
  return reset;
}

export function nfacct(argv: readonly string[], environment: CommandEnvironment): CommandOutcome {
  const word = argv[0];
  if (word === undefined) throw new CommandError(USAGE, 1);
  const command = COMMANDS.find((name) => word !== "" && name.startsWith(word));
  if (command === undefined) throw new CommandError(`${PROGRAM}: Unknown command: ${word}\n${USAGE}`, 1);
  const rest = argv.slice(1);
  switch (command) {
    case "list":
      return done(request(environment, { kind: "get", reset: readFlags(rest) }).map(formatObject).join(""));
    case "get": {
      const [name, ...flags] = rest;
      if (name === undefined) throw problem("missing object name");
      const reset = readFlags(flags);
      return done(request(environment, { kind: "get", name, reset }).map(formatObject).join(""));
    }
    case "add": {
      const [name, ...quota] = rest;
      if (name === undefined) throw problem("missing object name");
      if (quota.length > 0) throw new UnsupportedError(quota[0]!, "nfacct quotas are not modelled");
      request(environment, { kind: "new", name });
      return done("");
    }
    case "delete": {
      const [name, ...more] = rest;
      if (name === undefined) throw problem("missing object name");
      if (more.length > 0) throw problem("too many arguments");
      request(environment, { kind: "del", name });
      return done("");
    }
    case "flush":
      if (rest.length > 0) throw problem("too many arguments");
      request(environment, { kind: "del" });
      return done("");
    case "version":
      return done(VERSION_TEXT);
    case "help":
      return done(HELP);
    case "restore":
    case "monitor":
      throw new UnsupportedError(word, `nfacct ${command} is not modelled`);
  }
}
