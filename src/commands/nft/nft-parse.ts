// nft's parser and evaluator (nftables src/parser_bison.y, evaluate.c) for
// the commands and ruleset files real hosts use: tokens to typed batch
// messages (model/nf-tables.ts NftCommand) and list requests. Errors carry
// the tokens they are about, for nft's caret lines. A form netsim does not
// model is refused by name.
import { parseIpv4Address, prefixMask } from "../../model/address.js";
import { NFT_REJECT_WITH, type NftBaseChain, type NftChainType, type NftCommand, type NftData, type NftDatatype, type NftElement, type NftExpression, type NftFamily, type NftHook, type NftKey, type NftRejectWith, type NftRight, type NftRuleSpec, type NftSelector, type NftSetSpec, type NftVerdict } from "../../model/nf-tables.js";
import { UnsupportedError } from "../command.js";
import { CT_STATES, CT_STATUSES, FIB_TYPE_NAMES, ICMP_TYPES, NF_PROTO_NAMES, PKT_TYPE_NAMES, PROTOCOL_NAMES, priorityNameValid, ruleText, standardPriority } from "./nft-print.js";
import { ICMPV6_TYPES, ipv6Network } from "./nft-ip6.js";
import { formatIpv6Address, parseIpv6Address } from "../../model/ipv6-address.js";
import { KEYWORDS, OPERATOR_WORDS, scan, type Token } from "./nft-scanner.js";

/** A chain's body: its base-chain spec, and the policy when one is given (NFTA_CHAIN_POLICY is sent only then). */
interface ChainBody {
  readonly base?: NftBaseChain;
  readonly policy?: "accept" | "drop";
  readonly comment?: string;
}

export class NftSyntaxError extends Error {
  constructor(
    readonly first: Token,
    readonly last: Token,
    readonly why: string,
    /** the statement the error is about, marked with ~ (erec_print's second location) */
    readonly context?: Token,
  ) {
    super(why);
  }
}

/** Every syntax error of a text, in order: nft's parser recovers at the end of the line (`error stmt_separator`) and goes on, up to ten. */
export class NftSyntaxErrors extends Error {
  constructor(readonly errors: readonly NftSyntaxError[]) {
    super(errors.map((error) => error.why).join("\n"));
  }
}

/** nft's parser_max_errors: the parse stops at the tenth error. */
const MAX_ERRORS = 10;

/** Tokens bison names by their character (`'}'`) or by their alias (`semicolon`). */
const TOKEN_NAMES: Readonly<Record<string, string>> = { "{": "'{'", "}": "'}'", "[": "'['", "]": "']'", "(": "'('", ")": "')'", "|": "'|'", $: "'$'", "=": "'='", ";": "semicolon", ",": "comma", ":": "colon" };

export type NftListRequest =
  | { readonly what: "ruleset" | "tables" }
  | { readonly what: "table"; readonly family: NftListFamily; readonly table: string; readonly tokens: readonly Token[] }
  | { readonly what: "chain"; readonly family: NftListFamily; readonly table: string; readonly name: string; readonly tokens: readonly Token[] }
  | { readonly what: "set" | "map"; readonly family: NftListFamily; readonly table: string; readonly name: string; readonly tokens: readonly Token[] };

/** A listing may name ip6 too: only ip6tables (iptables-nft) makes ip6 tables in the model. */
export type NftListFamily = NftFamily | "ip6";

/** One parsed command: a batch message with the tokens an error about it points at, or a listing. */
export type NftStatement = { readonly kind: "batch"; readonly command: NftCommand; /** [table, object]: what an error about it points at */ readonly tokens: readonly Token[]; /** Every token of a one-message command (an error may point at any part). */ readonly span?: readonly Token[]; /** The command's first and last token (a top-level one's up to its separator, which nft's location takes in): what an error without a part points at. */ readonly whole?: readonly [Token, Token] } | { readonly kind: "list"; readonly request: NftListRequest };

const FAMILIES = new Set(["ip", "inet", "ip6", "arp", "bridge", "netdev"]);
const HOOKS = new Set(["prerouting", "input", "forward", "output", "postrouting"]);
const SERVICES: Readonly<Record<string, number>> = { ssh: 22, http: 80, https: 443, domain: 53, ftp: 21, telnet: 23, smtp: 25, ntp: 123, bootps: 67, bootpc: 68 };
const PROTOCOLS: Readonly<Record<string, number>> = { icmp: 1, igmp: 2, tcp: 6, udp: 17, gre: 47, esp: 50, ah: 51, sctp: 132, udplite: 136, dccp: 33, "ipv6-icmp": 58 };
const DATATYPES = new Set<NftDatatype>(["ipv4_addr", "inet_service", "ifname", "inet_proto", "mark", "ct_state", "ct_status", "verdict", "nf_proto", "pkt_type"]);

function selectorType(selector: NftSelector): NftDatatype {
  switch (selector.kind) {
    case "ip":
      return selector.field === "protocol" ? "inet_proto" : "ipv4_addr";
    case "meta":
      return selector.key === "iifname" || selector.key === "oifname" ? "ifname" : selector.key === "l4proto" ? "inet_proto" : selector.key === "mark" ? "mark" : selector.key === "nfproto" ? "nf_proto" : "pkt_type";
    case "l4":
      return "inet_service";
    case "tcpflags":
      return "integer";
    case "icmp":
      return "icmp_type";
    case "ct":
      return selector.key === "state" ? "ct_state" : selector.key === "status" ? "ct_status" : selector.key === "mark" ? "mark" : "ct_dir";
    case "fib":
      return "fib_addrtype";
    case "numgen":
      return "integer";
  }
}

/** The matches nft puts first as a reject's dependency (stmt_reject_gen_dependency). */
const PROTOCOL_DEPENDENCY = {
  tcp: { kind: "match", left: [{ kind: "meta", key: "l4proto" }], op: "==", right: { kind: "value", value: 6 }, types: ["inet_proto"] },
  ipv4: { kind: "match", left: [{ kind: "meta", key: "nfproto" }], op: "==", right: { kind: "value", value: 2 }, types: ["nf_proto"] },
} as const satisfies Record<string, NftExpression>;

const FLAG_TYPES: Partial<Record<NftDatatype, readonly [string, number][]>> = { ct_state: CT_STATES, ct_status: CT_STATUSES };

class Parser {
  private at = 0;
  private readonly defines = new Map<string, Token[]>();

  constructor(private tokens: Token[]) {}

  private peek(offset = 0): Token {
    if (this.tokens[this.at]?.type === "punct" && this.tokens[this.at]!.text === "$") this.expandDefines();
    return this.tokens[Math.min(this.at + offset, this.tokens.length - 1)]!;
  }

  private next(): Token {
    const token = this.peek();
    if (this.at < this.tokens.length - 1) this.at++;
    return token;
  }

  private is(text: string, offset = 0): boolean {
    const token = this.peek(offset);
    return token.type !== "string" && token.type !== "eof" && token.text === text;
  }

  private accept(text: string): boolean {
    if (!this.is(text)) return false;
    this.next();
    return true;
  }

  private unexpected(token = this.peek(), expecting?: string): NftSyntaxError {
    const what = token.type === "eof" ? "end of file" : token.type === "newline" ? "newline" : token.type === "string" ? `quoted string` : token.type === "number" ? "number" : token.type === "punct" ? (TOKEN_NAMES[token.text] ?? token.text) : token.text;
    return new NftSyntaxError(token, token, `syntax error, unexpected ${what}${expecting ? `, expecting ${expecting}` : ""}`);
  }

  private expect(text: string, expecting = text): Token {
    if (!this.is(text)) throw this.unexpected(this.peek(), expecting);
    return this.next();
  }

  private identifier(expecting = "string"): Token {
    const token = this.peek();
    if (token.type === "word" || token.type === "string") return this.next();
    throw this.unexpected(token, expecting);
  }

  /**
   * A table's, chain's or set's name: nft's identifier, a STRING token, so neither a keyword
   * (KEYWORDS: `fwd`, `tcp`) nor a quoted string; `expecting` is what
   * bison's error says it wanted there.
   */
  private objectName(expecting = "string"): Token {
    const token = this.peek();
    if (token.type === "word" && !KEYWORDS.has(token.text) && OPERATOR_WORDS[token.text] === undefined) return this.next();
    if (token.type === "word" && OPERATOR_WORDS[token.text] !== undefined) throw new NftSyntaxError(token, token, `syntax error, unexpected ${OPERATOR_WORDS[token.text]}, expecting ${expecting}`);
    throw this.unexpected(token, expecting);
  }

  private number(): number {
    const token = this.peek();
    if (token.type !== "number") throw this.unexpected(token);
    this.next();
    return Number(token.text);
  }

  /** `$NAME` expands to what `define NAME = ...` said. */
  private expandDefines(): void {
    for (;;) {
      const dollar = this.tokens[this.at]!;
      if (dollar.type !== "punct" || dollar.text !== "$") return;
      const name = this.tokens[this.at + 1]!;
      const value = this.defines.get(name.text);
      if (value === undefined) throw new NftSyntaxError(dollar, name, `unknown identifier '${name.text}'`);
      this.tokens.splice(this.at, 2, ...value);
    }
  }

  private skipSeparators(): void {
    while (this.peek().type === "newline" || this.is(";")) this.next();
  }

  private endOfStatement(): boolean {
    const token = this.peek();
    return token.type === "newline" || token.type === "eof" || this.is(";") || this.is("}");
  }

  parseAll(): NftStatement[] {
    const statements: NftStatement[] = [];
    for (;;) {
      this.skipSeparators();
      if (this.peek().type === "eof") break;
      const from = this.at;
      try {
        const produced = this.statement();
        const span = this.tokens.slice(from, this.at);
        statements.push(...(produced.length === 1 && produced[0]!.kind === "batch" && span.length > 0 ? [{ ...produced[0]!, span, whole: [span[0]!, this.peek()] as const }] : produced));
        if (!this.endOfStatement()) throw this.unexpected();
      } catch (error) {
        this.recover(error);
      }
    }
    if (this.errors.length > 0) throw new NftSyntaxErrors(this.errors);
    return statements;
  }

  private readonly errors: NftSyntaxError[] = [];

  /**
   * bison's `error stmt_separator` (common_block, line): a syntax error
   * noted, the rest of its line dropped, the parse goes on in the block it
   * was in. The other errors are nft's evaluation's, which runs only on a
   * text that parsed: the first one is the answer, unless a syntax error
   * came before (then it is never seen).
   */
  private recover(error: unknown): void {
    if (!(error instanceof NftSyntaxError)) throw error;
    const syntax = error.why.startsWith("syntax error");
    if (!syntax && this.errors.length === 0) throw error;
    if (syntax) this.errors.push(error);
    if (this.errors.length === MAX_ERRORS) throw new NftSyntaxErrors(this.errors);
    while (this.peek().type !== "eof" && this.peek().type !== "newline" && !this.is(";")) this.next();
    if (this.peek().type !== "eof") this.next();
  }

  private family(): NftFamily;
  private family(listing: true): NftListFamily;
  private family(listing = false): NftListFamily {
    const token = this.peek();
    if (token.type === "word" && FAMILIES.has(token.text) && (this.peek(1).type === "word" || this.peek(1).type === "string")) {
      this.next();
      if (listing && token.text === "ip6") return "ip6";
      if (token.text !== "ip" && token.text !== "inet") throw new UnsupportedError(token.text, `nft's ${token.text} family is not modelled (ip and inet are)`);
      return token.text;
    }
    return "ip";
  }

  private statement(): NftStatement[] {
    const start = this.peek();
    if (start.type !== "word") throw this.unexpected(start);
    switch (start.text) {
      case "define": {
        this.next();
        const name = this.identifier();
        this.expect("=");
        const value: Token[] = [];
        while (!(this.peek().type === "newline" || this.peek().type === "eof" || this.is(";"))) value.push(this.next());
        this.defines.set(name.text, value);
        return [];
      }
      case "include":
        throw new UnsupportedError("include", "nft's include is not modelled; give the file to nft -f");
      case "table": {
        this.next();
        return this.tableBlock(start, false);
      }
      case "add":
      case "create": {
        this.next();
        return this.addCommand(start.text === "create");
      }
      case "insert": {
        this.next();
        this.expect("rule", "rule");
        return [this.ruleCommand(true, start)];
      }
      case "replace": {
        this.next();
        this.expect("rule", "rule");
        const family = this.family();
        const table = this.objectName();
        const chain = this.objectName();
        this.expect("handle");
        const handle = this.number();
        const { rule, anonymousSets } = this.rule(family);
        return [{ kind: "batch", command: { kind: "replace-rule", family, table: table.text, chain: chain.text, handle, rule, anonymousSets }, tokens: [table, chain] }];
      }
      case "delete":
      case "destroy":
        this.next();
        return [this.deleteCommand()];
      case "flush":
        this.next();
        return [this.flushCommand()];
      case "list":
        this.next();
        return [this.listCommand()];
      case "chain":
      case "rule":
      case "set":
      case "map":
      case "element":
        // base_cmd's add_cmd without the word add (`chain ip t c`).
        return this.addCommand(false);
      default:
        throw this.unexpected(start);
    }
  }

  private addCommand(create: boolean): NftStatement[] {
    const object = this.peek();
    if (object.type !== "word") throw this.unexpected(object);
    switch (object.text) {
      case "table":
        this.next();
        return this.tableBlock(object, create);
      case "chain": {
        this.next();
        const family = this.family();
        const table = this.objectName();
        const name = this.objectName();
        let body: ChainBody = {};
        if (this.accept("{")) {
          body = this.chainBody(family, table.text, name.text, []);
          this.expect("}");
        }
        return [{ kind: "batch", command: { kind: "add-chain", family, table: table.text, name: name.text, ...body, create }, tokens: [table, name] }];
      }
      case "rule":
        this.next();
        return [this.ruleCommand(false, object)];
      case "set":
      case "map": {
        this.next();
        const family = this.family();
        const table = this.objectName();
        const name = this.objectName();
        this.expect("{");
        const set = this.setBody(name.text, object.text === "map");
        this.expect("}");
        return [{ kind: "batch", command: { kind: "add-set", family, table: table.text, set, create }, tokens: [table, name] }];
      }
      case "element": {
        this.next();
        const family = this.family();
        const table = this.objectName();
        const name = this.objectName();
        // The set's types are the kernel's business: elements are read by their own look, ifnames quoted.
        const elements = this.elementList(undefined, undefined);
        return [{ kind: "batch", command: { kind: "add-element", family, table: table.text, set: name.text, elements }, tokens: [table, name] }];
      }
      default:
        if (object.text === "counter" || object.text === "quota" || object.text === "flowtable" || object.text === "limit" || object.text === "ct") throw new UnsupportedError(object.text, `nft add ${object.text} is not modelled`);
        // `nft add rule`'s short form without the word `rule` (nft add ip t c accept) is taken as nft takes it.
        this.at--;
        this.next();
        return [this.ruleCommand(false, object)];
    }
  }

  /** `table FAMILY NAME { ... }` (and `add table`): the table, then its sets, chains and rules in nft's order. */
  private tableBlock(start: Token, create: boolean): NftStatement[] {
    const family = this.family();
    const name = this.objectName();
    const table = { kind: "add-table", family, name: name.text, create } as const;
    if (!this.accept("{")) return [{ kind: "batch", command: table, tokens: [name, name] }];
    let comment: string | undefined;
    const sets: NftStatement[] = [];
    const chains: NftStatement[] = [];
    const rules: NftStatement[] = [];
    for (;;) {
      this.skipSeparators();
      if (this.accept("}")) break;
      try {
        const itemComment = this.tableItem(family, name, sets, chains, rules);
        if (itemComment !== undefined) comment = itemComment;
      } catch (error) {
        this.recover(error);
      }
    }
    void start;
    const out: NftStatement[] = [{ kind: "batch", command: { ...table, ...(comment !== undefined ? { comment } : {}) }, tokens: [name, name] }];
    // nft_cmd_expand(): chains first (rules may jump to any of them), then sets, then the rules.
    return [...out, ...chains, ...sets, ...rules];
  }

  /** A comment's text: a quoted string (or one word, as nft's string token takes). */
  private quoted(): string {
    const text = this.peek();
    if (text.type !== "string" && text.type !== "word") throw this.unexpected(text);
    return this.next().text;
  }

  /** One chain, set or comment of a table block; returns the table's comment when the item is one. */
  private tableItem(family: NftFamily, name: Token, sets: NftStatement[], chains: NftStatement[], rules: NftStatement[]): string | undefined {
    const word = this.peek();
    if (word.type !== "word") throw this.unexpected(word);
    if (word.text === "chain") {
      this.next();
      const chain = this.objectName();
      this.expect("{");
      const body = this.chainBody(family, name.text, chain.text, rules);
      this.expect("}");
      chains.push({ kind: "batch", command: { kind: "add-chain", family, table: name.text, name: chain.text, ...body, create: false }, tokens: [name, chain] });
    } else if (word.text === "set" || word.text === "map") {
      this.next();
      const set = this.objectName();
      this.expect("{");
      const spec = this.setBody(set.text, word.text === "map");
      this.expect("}");
      sets.push({ kind: "batch", command: { kind: "add-set", family, table: name.text, set: spec, create: false }, tokens: [name, set] });
    } else if (word.text === "comment") {
      this.next();
      return this.quoted();
    } else if (word.text === "flags") throw new UnsupportedError(word.text, `nft table ${word.text} is not modelled`);
    else throw this.unexpected(word);
    return undefined;
  }

  private chainBody(family: NftFamily, table: string, chain: string, rules: NftStatement[]): ChainBody {
    let base: NftBaseChain | undefined;
    let policy: "accept" | "drop" | undefined;
    let comment: string | undefined;
    for (;;) {
      this.skipSeparators();
      if (this.is("}")) return { ...(base ? { base } : {}), ...(policy ? { policy } : {}), ...(comment !== undefined ? { comment } : {}) };
      if (this.is("type")) {
        const spec = this.baseChainSpec();
        base = spec.base;
        if (spec.policy) policy = spec.policy;
        continue;
      }
      if (this.is("policy")) {
        this.next();
        const given = this.identifier("accept or drop");
        if (given.text !== "accept" && given.text !== "drop") throw this.unexpected(given);
        if (!base) throw new NftSyntaxError(given, given, "policy specified for non-base chain");
        base.policy = given.text;
        policy = given.text;
        continue;
      }
      // The chain's own comment (userdata), not a rule's: a rule's comment follows its expressions.
      if (this.is("comment") && this.peek(1).type === "string") {
        this.next();
        comment = this.quoted();
        continue;
      }
      const first = this.peek();
      const from = this.at;
      try {
        const { rule, anonymousSets } = this.rule(family);
        const span = this.tokens.slice(from, this.at);
        rules.push({ kind: "batch", command: { kind: "add-rule", family, table, chain, insert: false, rule, anonymousSets }, tokens: [first, first], span, whole: [first, span[span.length - 1] ?? first] });
      } catch (error) {
        this.recover(error);
      }
    }
  }

  private baseChainSpec(): { base: NftBaseChain; policy?: "accept" | "drop" } {
    this.expect("type");
    const type = this.identifier();
    if (type.text !== "filter" && type.text !== "nat" && type.text !== "route") throw new NftSyntaxError(type, type, `unknown chain type`);
    this.expect("hook");
    const hook = this.identifier();
    if (!HOOKS.has(hook.text)) throw new UnsupportedError(hook.text, `nft hook ${hook.text} is not modelled`);
    const priorityToken = this.expect("priority");
    let priority: number;
    let last: Token;
    if (this.is("-") && this.peek(1).type === "number") {
      this.next();
      last = this.peek();
      priority = -this.number();
    } else if (this.peek().type === "number") {
      last = this.peek();
      priority = this.number();
    } else {
      const name = this.identifier();
      last = name;
      const value = standardPriority(name.text);
      if (value === undefined) throw new NftSyntaxError(name, name, `'${name.text}' is invalid priority in this context.`);
      priority = value;
      if ((this.is("+") || this.is("-")) && this.peek(1).type === "number") {
        const sign = this.next().text === "+" ? 1 : -1;
        last = this.peek();
        priority += sign * this.number();
      }
      if (!priorityNameValid(name.text, hook.text)) throw new NftSyntaxError(priorityToken, last, "invalid priority expression value in this context.");
    }
    this.accept(";");
    let policy: "accept" | "drop" | undefined;
    this.skipNewlines();
    if (this.accept("policy")) {
      const word = this.identifier();
      if (word.text !== "accept" && word.text !== "drop") throw this.unexpected(word);
      policy = word.text;
      this.accept(";");
    }
    return { base: { type: type.text as NftChainType, hook: hook.text as NftHook, priority, policy: policy ?? "accept" }, ...(policy ? { policy } : {}) };
  }

  private skipNewlines(): void {
    while (this.peek().type === "newline") this.next();
  }

  private setBody(name: string, map: boolean): NftSetSpec {
    let keyTypes: NftDatatype[] | undefined;
    let dataType: NftDatatype | undefined;
    let flags: NftSetSpec["flags"] = [];
    let elements: NftElement[] = [];
    let comment: string | undefined;
    let timeout: number | undefined;
    let size: number | undefined;
    for (;;) {
      this.skipSeparators();
      if (this.is("}")) break;
      const word = this.identifier();
      if (word.text === "type") {
        keyTypes = [this.datatype()];
        while (this.accept(".")) keyTypes.push(this.datatype());
        if (map) {
          this.expect(":");
          dataType = this.datatype();
        }
      } else if (word.text === "flags") {
        const list: string[] = [this.identifier().text];
        while (this.accept(",")) list.push(this.identifier().text);
        for (const flag of list) if (!["interval", "constant", "timeout", "dynamic"].includes(flag)) throw new UnsupportedError(flag, `nft set flag ${flag} is not modelled`);
        flags = list as NftSetSpec["flags"];
      } else if (word.text === "comment") comment = this.quoted();
      else if (word.text === "timeout") timeout = this.time();
      else if (word.text === "size") size = this.number();
      else if (word.text === "elements") {
        this.expect("=");
        if (!keyTypes) throw new NftSyntaxError(word, word, "set definition does not specify key");
        elements = this.elementList(keyTypes, dataType);
      } else throw new UnsupportedError(word.text, `nft set ${word.text} is not modelled`);
    }
    if (!keyTypes) throw new NftSyntaxError(this.peek(), this.peek(), "set definition does not specify key");
    return { name, keyTypes, ...(dataType !== undefined ? { dataType } : {}), flags, ...(timeout !== undefined ? { timeout } : {}), ...(size !== undefined ? { size } : {}), ...(comment !== undefined ? { comment } : {}), elements };
  }

  /** time_parse(): `3h`, `1d2h3m4s`, `500ms` (days, hours, minutes, seconds, milliseconds, each at most once), in milliseconds. */
  private time(): number {
    // The scanner cuts `10800s` into a number and a word (`1080`, `0s`): the touching tokens are one string, as nft's scanner reads it.
    let text = this.next().text;
    while ((this.peek().type === "number" || this.peek().type === "word") && this.peek().line === this.tokens[this.at - 1]!.line && this.peek().first === this.tokens[this.at - 1]!.last + 1) text += this.next().text;
    const parts = /^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m(?!s))?(?:(\d+)s)?(?:(\d+)ms)?$/.exec(text);
    if (!parts || parts.slice(1).every((part) => part === undefined)) throw new UnsupportedError(text, `nft time ${text} is not modelled (a number with units d, h, m, s, ms is)`);
    const [days, hours, minutes, seconds, milliseconds] = parts.slice(1).map((part) => Number(part ?? 0)) as [number, number, number, number, number];
    return (((days * 24 + hours) * 60 + minutes) * 60 + seconds) * 1000 + milliseconds;
  }

  private datatype(): NftDatatype {
    const word = this.identifier();
    if (!DATATYPES.has(word.text as NftDatatype)) throw new UnsupportedError(word.text, `nft set type ${word.text} is not modelled`);
    return word.text as NftDatatype;
  }

  /** `{ a, b : verdict, ... }`. Types undefined: each element read by its look (add element without the set at hand). */
  private elementList(types: readonly NftDatatype[] | undefined, dataType: NftDatatype | undefined): NftElement[] {
    this.expect("{");
    const elements: NftElement[] = [];
    for (;;) {
      this.skipNewlines();
      if (this.accept("}")) return elements;
      const key = types ? this.key(types) : this.guessedKey();
      // set_elem_options: comment, timeout and expires, in any order.
      let comment: string | undefined;
      let timeout: number | undefined;
      let expiresIn: number | undefined;
      for (;;) {
        if (this.accept("comment")) comment = this.quoted();
        else if (this.accept("timeout")) timeout = this.time();
        else if (this.accept("expires")) expiresIn = this.time();
        else break;
      }
      let data: NftData | undefined;
      if (this.accept(":")) data = dataType === "verdict" || dataType === undefined ? this.verdictData() : { kind: "value", value: this.atom(dataType) };
      elements.push({ key, ...(data ? { data } : {}), ...(comment !== undefined ? { comment } : {}), ...(timeout !== undefined ? { timeout } : {}), ...(expiresIn !== undefined ? { expiresIn } : {}) });
      this.skipNewlines();
      if (!this.accept(",")) {
        this.skipNewlines();
        this.expect("}");
        return elements;
      }
    }
  }

  /** An element's key read by its look, each part of a concatenation (`10.0.0.1 . tcp . 80`) on its own. */
  private guessedKey(): NftKey {
    const parts: NftKey[] = [this.singleKey(this.guessType())];
    while (this.accept(".")) parts.push(this.singleKey(this.guessType()));
    return parts.length === 1 ? parts[0]! : { kind: "concat", parts };
  }

  private guessType(): NftDatatype {
    const token = this.peek();
    if (token.type === "addr") return "ipv4_addr";
    if (token.type === "word" && PROTOCOLS[token.text] !== undefined) return "inet_proto";
    if (token.type === "string") return "ifname";
    if (token.type === "number") return "inet_service";
    throw new UnsupportedError(token.text, "nft add element of this form is not modelled");
  }

  private verdictData(): NftData {
    // A map element's jump takes a chain_expr, which may be a $variable.
    const verdict = this.verdict("string or '$'");
    if (!verdict) throw this.unexpected();
    return { kind: "verdict", verdict };
  }

  private verdict(chainExpecting = "'{'"): NftVerdict | undefined {
    const word = this.peek();
    if (word.type !== "word") return undefined;
    if (word.text === "accept" || word.text === "drop" || word.text === "return" || word.text === "continue") {
      this.next();
      return { kind: word.text };
    }
    if (word.text === "jump" || word.text === "goto") {
      this.next();
      return { kind: word.text, chain: this.objectName(chainExpecting).text };
    }
    if (word.text === "queue") throw new UnsupportedError("queue", "nft's queue verdict is not modelled");
    return undefined;
  }

  /** One key of these types (a concatenation when more than one). */
  private key(types: readonly NftDatatype[]): NftKey {
    const parts: NftKey[] = [];
    types.forEach((type, index) => {
      if (index > 0) this.expect(".");
      parts.push(this.singleKey(type));
    });
    return parts.length === 1 ? parts[0]! : { kind: "concat", parts };
  }

  private singleKey(type: NftDatatype): NftKey {
    const first = this.peek();
    if (type === "ipv4_addr") {
      const address = this.address();
      if (this.accept("/")) {
        const length = this.number();
        return { kind: "prefix", address: (address & prefixMask(length)) >>> 0, length };
      }
      if (this.is("-") && this.peek(1).type === "addr") {
        this.next();
        return { kind: "range", first: address, last: this.address() };
      }
      return { kind: "value", value: address };
    }
    if (type === "inet_service" || type === "mark" || type === "integer") {
      const value = this.atom(type) as number;
      if (this.is("-") && this.peek(1).type === "number") {
        this.next();
        return { kind: "range", first: value, last: this.number() };
      }
      return { kind: "value", value };
    }
    void first;
    return { kind: "value", value: this.atom(type) };
  }

  private address(): number {
    const token = this.peek();
    if (token.type !== "addr") throw this.unexpected(token);
    this.next();
    const address = parseIpv4Address(token.text);
    if (address === undefined) throw new NftSyntaxError(token, token, `Could not resolve hostname: Name or service not known`);
    return address;
  }

  private atom(type: NftDatatype): number | string {
    const token = this.peek();
    switch (type) {
      case "ifname":
        if (token.type === "string" || token.type === "word") return this.next().text;
        throw this.unexpected(token);
      case "inet_service":
        if (token.type === "number") return this.number();
        if (token.type === "word" && SERVICES[token.text] !== undefined) return SERVICES[this.next().text]!;
        throw this.unexpected(token);
      case "inet_proto":
        if (token.type === "number") return this.number();
        if (token.type === "word" && PROTOCOLS[token.text] !== undefined) return PROTOCOLS[this.next().text]!;
        throw this.unexpected(token);
      case "nf_proto":
      case "pkt_type": {
        // One byte, by number or symbol (symbol_parse: a word not in the table cannot be parsed; inet, bridge, netdev are tokens the grammar has no place for here).
        if (token.type === "number") {
          const value = this.number();
          if (value > 255) throw new NftSyntaxError(token, token, `Value ${value} exceeds valid range 0-255`);
          return value;
        }
        if (token.type === "word" && (token.text === "inet" || token.text === "bridge" || token.text === "netdev")) throw this.unexpected(token);
        // pkttype_type_tbl keeps `unicast` for host (backwards compatibility).
        const symbols = [...Object.entries(type === "nf_proto" ? NF_PROTO_NAMES : PKT_TYPE_NAMES), ...(type === "pkt_type" ? [["0", "unicast"] as const] : [])];
        const value = symbols.find(([, name]) => name === token.text)?.[0];
        if (token.type !== "word" || value === undefined) throw new NftSyntaxError(token, token, type === "nf_proto" ? "Could not parse netfilter protocol" : "Could not parse packet type");
        this.next();
        return Number(value);
      }
      case "mark":
      case "integer":
        return this.number();
      case "fib_addrtype": {
        const index = FIB_TYPE_NAMES.indexOf(token.text);
        if (index < 0) throw new NftSyntaxError(token, token, `Could not parse fib_addrtype`);
        this.next();
        return index;
      }
      case "icmp_type": {
        if (token.type === "number") return this.number();
        const value = ICMP_TYPES[token.text];
        if (value === undefined) throw new NftSyntaxError(token, token, `Could not parse ICMP type`);
        this.next();
        return value;
      }
      case "ct_dir":
        if (token.text === "original" || token.text === "reply") return this.next().text === "reply" ? 1 : 0;
        throw this.unexpected(token);
      case "ct_state":
      case "ct_status": {
        const bits = FLAG_TYPES[type]!.find(([name]) => name === token.text)?.[1];
        if (bits === undefined) throw new NftSyntaxError(token, token, `Could not parse ${type === "ct_state" ? "conntrack state" : "conntrack status"}`);
        this.next();
        return bits;
      }
      case "ipv4_addr":
        return this.address();
      default:
        throw this.unexpected(token);
    }
  }

  private ruleCommand(insert: boolean, start: Token): NftStatement {
    const family = this.family();
    const table = this.objectName();
    const chain = this.objectName();
    let at: { by: "handle" | "index"; value: number } | undefined;
    if (this.accept("handle") || this.accept("position")) at = { by: "handle", value: this.number() };
    else if (this.accept("index")) at = { by: "index", value: this.number() };
    const { rule, anonymousSets } = this.rule(family);
    void start;
    return { kind: "batch", command: { kind: "add-rule", family, table: table.text, chain: chain.text, insert, ...(at ? { at } : {}), rule, anonymousSets }, tokens: [table, chain] };
  }

  private selector(): { selector: NftSelector; first: Token; last: Token } | undefined {
    const first = this.peek();
    if (first.type !== "word") return undefined;
    const field = this.peek(1);
    const two = (selector: NftSelector) => {
      this.next();
      const last = this.next();
      return { selector, first, last };
    };
    switch (first.text) {
      case "ip":
        if (field.text === "saddr" || field.text === "daddr" || field.text === "protocol") return two({ kind: "ip", field: field.text });
        if (field.type === "word") throw new UnsupportedError(`ip ${field.text}`, `nft's ip ${field.text} is not modelled`);
        return undefined;
      case "iifname":
      case "oifname":
        this.next();
        return { selector: { kind: "meta", key: first.text }, first, last: first };
      case "mark":
        if (field.text === "set") return undefined;
        this.next();
        return { selector: { kind: "meta", key: "mark" }, first, last: first };
      case "pkttype":
        // meta_key_unqualified: `pkttype host` is meta pkttype.
        this.next();
        return { selector: { kind: "meta", key: "pkttype" }, first, last: first };
      case "meta":
        if (field.text === "iifname" || field.text === "oifname" || field.text === "l4proto" || field.text === "mark" || field.text === "nfproto" || field.text === "pkttype") {
          if (field.text === "mark" && this.peek(2).text === "set") return undefined;
          return two({ kind: "meta", key: field.text });
        }
        throw new UnsupportedError(`meta ${field.text}`, `nft's meta ${field.text} is not modelled`);
      case "tcp":
      case "udp":
      case "th":
        if (field.text === "sport" || field.text === "dport") return two({ kind: "l4", protocol: first.text, field: field.text });
        if (field.text === "flags") throw new UnsupportedError("tcp flags", "nft's tcp flags is not modelled");
        throw new UnsupportedError(`${first.text} ${field.text}`, `nft's ${first.text} ${field.text} is not modelled`);
      case "icmp":
        if (field.text === "type") return two({ kind: "icmp", field: "type" });
        throw new UnsupportedError(`icmp ${field.text}`, `nft's icmp ${field.text} is not modelled`);
      case "ct":
        if (field.text === "state" || field.text === "status" || field.text === "direction") return two({ kind: "ct", key: field.text });
        if (field.text === "mark") {
          if (this.peek(2).text === "set") return undefined;
          return two({ kind: "ct", key: "mark" });
        }
        throw new UnsupportedError(`ct ${field.text}`, `nft's ct ${field.text} is not modelled`);
      case "fib": {
        this.next();
        const flags: ("saddr" | "daddr" | "iif" | "oif")[] = [];
        for (;;) {
          const flag = this.identifier();
          if (flag.text !== "saddr" && flag.text !== "daddr" && flag.text !== "iif" && flag.text !== "oif") throw this.unexpected(flag);
          flags.push(flag.text);
          if (!this.accept(".")) break;
        }
        const result = this.identifier();
        if (result.text !== "type") throw new UnsupportedError(`fib ${result.text}`, `nft's fib ... ${result.text} is not modelled`);
        return { selector: { kind: "fib", flags, result: "type" }, first, last: result };
      }
      case "numgen": {
        this.next();
        const mode = this.identifier();
        if (mode.text !== "random" && mode.text !== "inc") throw this.unexpected(mode);
        this.expect("mod");
        const modulus = this.number();
        let offset: number | undefined;
        if (this.accept("offset")) offset = this.number();
        const last = this.tokens[this.at - 1]!;
        // nft_ng_inc_init() sets the counter to modulus - 1, so the first packet gets the offset; random's state counts its draws.
        return { selector: { kind: "numgen", mode: mode.text, modulus, ...(offset !== undefined ? { offset } : {}), state: { count: mode.text === "inc" ? modulus - 1 : 0 } }, first, last };
      }
      case "jhash":
      case "symhash":
        throw new UnsupportedError(first.text, `nft's ${first.text} is not modelled`);
      default:
        return undefined;
    }
  }

  private right(types: readonly NftDatatype[], counter: { sets: number }): NftRight {
    if (this.accept("@")) return { kind: "setref", name: this.identifier().text };
    const flags = FLAG_TYPES[types[0]!];
    if (this.is("{")) {
      const elements = this.elementList(types, undefined);
      // expr_evaluate_set(): a rule's set of one value, range or prefix is that element, and no anonymous set is made.
      const only = elements.length === 1 && elements[0]!.data === undefined ? elements[0]!.key : undefined;
      if (only && only.kind !== "concat") return flags && types.length === 1 && only.kind === "value" && typeof only.value === "number" ? { kind: "flags", bits: only.value } : only;
      counter.sets++;
      return { kind: "set", elements };
    }
    if (flags && types.length === 1) {
      let bits = this.atom(types[0]!) as number;
      while (this.accept(",")) bits |= this.atom(types[0]!) as number;
      return { kind: "flags", bits };
    }
    return this.key(types);
  }

  private natStatement(family: NftFamily, protocol: string | undefined): NftExpression {
    const word = this.next();
    const type = word.text as "dnat" | "snat" | "masquerade" | "redirect";
    let addresses: { first: number; last: number } | undefined;
    let ports: { first: number; last: number } | undefined;
    if (type === "dnat" || type === "snat") {
      if (this.accept("ip")) {
        // `dnat ip to`: the address family, as an inet table needs.
      } else if (family === "inet") throw new NftSyntaxError(word, word, `specify \`${type} ip' or '${type} ip6' in inet table to disambiguate`);
      this.expect("to");
      if (this.peek().type === "addr") {
        const first = this.address();
        let last = first;
        if (this.is("-") && this.peek(1).type === "addr") {
          this.next();
          last = this.address();
        }
        addresses = { first, last };
      }
      if (this.accept(":")) ports = this.portRange();
    } else if (this.accept("to")) {
      const colon = this.expect(":");
      ports = this.portRange();
      if (protocol === undefined) throw new NftSyntaxError(colon, colon, "transport protocol mapping is only valid after transport protocol match");
    }
    const flags: ("random" | "fully-random" | "persistent")[] = [];
    while (this.is("random") || this.is("fully-random") || this.is("persistent")) {
      flags.push(this.next().text as "random");
      this.accept(",");
    }
    if (ports && (type === "dnat" || type === "snat") && protocol === undefined) throw new NftSyntaxError(word, word, "transport protocol mapping is only valid after transport protocol match");
    return { kind: "nat", type, ...(addresses ? { addresses } : {}), ...(ports ? { ports } : {}), flags };
  }

  /** What `mark set` writes: a number, a mark as it is (`meta mark set ct mark`), or a mark or'd, xor'd or and'ed with one (`mark set mark or 0x4000`, `meta mark set meta mark | 0x2000`). */
  private markValue(target: "meta" | "ct"): NftExpression {
    if (this.peek().type === "number") return { kind: "mark-set", target, value: this.number() };
    let source: "meta" | "ct" = "meta";
    if (this.accept("ct")) source = "ct";
    else this.accept("meta");
    this.expect("mark", "mark");
    // No operator: the mark as it is (nft_meta_get or nft_ct_get straight into the set).
    if (this.endOfStatement() || this.peek().type !== "punct" && !["or", "xor", "and"].includes(this.peek().text)) return { kind: "mark-set", target, value: 0, copy: source };
    const word = this.next();
    const op = word.text === "|" || word.text === "or" ? "|" : word.text === "^" || word.text === "xor" ? "^" : word.text === "&" || word.text === "and" ? "&" : undefined;
    if (op === undefined) throw this.unexpected(word);
    return { kind: "mark-set", target, value: this.number(), bitwise: { op, source } };
  }

  private portRange(): { first: number; last: number } {
    const first = this.number();
    if (this.is("-") && this.peek(1).type === "number") {
      this.next();
      return { first, last: this.number() };
    }
    return { first, last: first };
  }

  /**
   * `ip6 saddr|daddr [!=] ADDR[/LEN] | { ... }` or `icmpv6 type [!=] NAME | { ... }`
   * in an inet table: read and listed as nft lists it (prefixes masked,
   * a set's elements in ascending order, a set of one without braces).
   */
  private ipv6Match(first: Token, family: NftFamily): NftExpression {
    this.next();
    const field = this.identifier();
    const spelled = `${first.text} ${field.text}`;
    // An ip table's packets are IPv4: nft's payload dependency for ip6 conflicts with the table's (measured: nft 1.0.6).
    if (family === "ip" && first.text === "ip6") throw new NftSyntaxError(first, field, "conflicting protocols specified: ip vs. ip6");
    if (family !== "inet") throw new UnsupportedError(spelled, `nft's ${spelled} is modelled in inet tables only (netsim carries IPv4 packets only)`);
    if (first.text === "ip6" ? field.text !== "saddr" && field.text !== "daddr" : field.text !== "type") throw new UnsupportedError(spelled, `nft's ${spelled} is not modelled`);
    let op = "";
    if (this.accept("!=")) op = "!= ";
    else this.accept("==");
    const one = (): readonly [bigint, string] => {
      const token = this.next();
      if (first.text === "icmpv6") {
        const named = ICMPV6_TYPES.find(([name]) => name === token.text);
        const value = named ? named[1] : token.type === "number" ? Number(token.text) : undefined;
        if (value === undefined) throw new NftSyntaxError(token, token, `Could not parse ICMPv6 type`);
        const listed = ICMPV6_TYPES.find(([, number]) => number === value);
        return [BigInt(value), listed ? listed[0] : String(value)];
      }
      const address = token.type === "addr6" ? parseIpv6Address(token.text) : undefined;
      if (address === undefined) throw new NftSyntaxError(token, token, `Could not resolve hostname: Name or service not known`);
      if (!this.accept("/")) return [address, formatIpv6Address(address)];
      const length = this.number();
      if (length > 128) throw new NftSyntaxError(token, token, `Could not parse prefix length`);
      const network = ipv6Network(address, length);
      return [network, length === 128 ? formatIpv6Address(network) : `${formatIpv6Address(network)}/${length}`];
    };
    let right: string;
    if (this.accept("{")) {
      const elements: (readonly [bigint, string])[] = [];
      do {
        this.skipNewlines();
        if (this.is("}")) break;
        elements.push(one());
        this.skipNewlines();
      } while (this.accept(","));
      this.expect("}");
      elements.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
      right = elements.length === 1 ? elements[0]![1] : `{ ${elements.map(([, text]) => text).join(", ")} }`;
    } else right = one()[1];
    return { kind: "ipv6-match", text: `${spelled} ${op}${right}` };
  }

  /** `fib FLAG[ . FLAG...] oif|oifname missing|exists` (behind meta nfproto ipv6): its text as nft lists it. */
  private fibIpv6(): string {
    this.next();
    const flags: string[] = [];
    for (;;) {
      const flag = this.identifier();
      if (!["saddr", "daddr", "mark", "iif", "oif"].includes(flag.text)) throw this.unexpected(flag);
      flags.push(flag.text);
      if (!this.accept(".")) break;
    }
    const result = this.identifier();
    if (result.text !== "oif" && result.text !== "oifname") throw new UnsupportedError(`fib ... ${result.text}`, `nft's fib ... ${result.text} is not modelled`);
    const test = this.identifier();
    if (test.text !== "missing" && test.text !== "exists") throw new UnsupportedError(`fib ... ${result.text} ${test.text}`, `nft's fib ... ${result.text} compared with a value is not modelled`);
    return `fib ${flags.join(" . ")} ${result.text} ${test.text}`;
  }

  /** A rule: its expressions in order, then an optional comment; the text it lists as. */
  rule(family: NftFamily): { rule: NftRuleSpec; anonymousSets: number } {
    const expressions: NftExpression[] = [];
    const counter = { sets: 0 };
    let comment: string | undefined;
    let protocol: string | undefined;
    let protocolAt: Token | undefined;
    // proto_ctx as evaluate.c keeps it for reject: the transport protocol a match settled (and where), whether the network one is known (IPv4).
    let transport: { readonly name: string; readonly at: Token } | undefined;
    let network = false;
    // An IPv6 match came first: what an icmpv6 reject needs (reject_payload_gen_dependency_family puts none then).
    let ipv6 = false;
    while (!this.endOfStatement()) {
      const token = this.peek();
      const verdict = this.verdict();
      if (verdict) {
        expressions.push({ kind: "verdict", verdict });
        continue;
      }
      if (token.type !== "word") throw this.unexpected(token);
      switch (token.text) {
        case "counter":
          this.next();
          if (this.accept("packets")) {
            const packets = this.number();
            this.expect("bytes");
            expressions.push({ kind: "counter", counters: { packets, bytes: this.number() } });
          } else expressions.push({ kind: "counter", counters: { packets: 0, bytes: 0 } });
          continue;
        case "comment": {
          this.next();
          const text = this.peek();
          if (text.type !== "string" && text.type !== "word") throw this.unexpected(text);
          comment = this.next().text;
          continue;
        }
        case "dnat":
        case "snat":
        case "masquerade":
        case "redirect":
          expressions.push(this.natStatement(family, protocol));
          continue;
        case "reject": {
          const reject = this.next();
          if (this.accept("with")) {
            const kind = this.identifier();
            if (kind.text === "tcp") {
              this.expect("reset");
              // stmt_evaluate_reset(): a settled protocol must be tcp; none settled, stmt_reject_gen_dependency() puts meta l4proto tcp first.
              if (transport !== undefined && transport.name !== "tcp") throw new NftSyntaxError(reject, reject, "you cannot use tcp reset with this protocol", transport.at);
              if (transport === undefined) expressions.unshift(PROTOCOL_DEPENDENCY.tcp);
              expressions.push({ kind: "reject", with: "tcp reset" });
            } else if (kind.text === "icmp" || kind.text === "icmpx") {
              this.accept("type");
              const type = this.identifier();
              const spec = `${kind.text} ${type.text}`;
              if (spec === "icmp frag-needed") throw new UnsupportedError(type.text, "nft reject with icmp frag-needed is not modelled");
              if (!Object.hasOwn(NFT_REJECT_WITH, spec)) throw new NftSyntaxError(type, type, `Could not parse ${kind.text} code`);
              // stmt_evaluate_reject_icmp(): icmpx is for the families that carry both IPv4 and IPv6.
              if (kind.text === "icmpx" && family === "ip") throw new NftSyntaxError(type, type, "abstracted ICMP unreachable not supported", reject);
              // The family's default (ICMP port unreachable) is stored, and so listed, as a bare reject.
              const byDefault = spec === (family === "ip" ? "icmp port-unreachable" : "icmpx port-unreachable");
              // An icmp reject in an inet table is for IPv4 only: without an IPv4 match nft puts meta nfproto ipv4 first (reject_payload_gen_dependency_family).
              if (kind.text === "icmp" && family === "inet" && !network) expressions.unshift(PROTOCOL_DEPENDENCY.ipv4);
              expressions.push(byDefault ? { kind: "reject" } : { kind: "reject", with: spec as NftRejectWith });
            } else if (kind.text === "icmpv6" && family === "inet" && ipv6) {
              // An IPv6 reject behind an IPv6 match (firewalld's RFC 3964 rule): no IPv4 packet reaches it.
              this.accept("type");
              const type = this.identifier();
              const spec = `icmpv6 ${type.text}`;
              if (!Object.hasOwn(NFT_REJECT_WITH, spec)) throw new UnsupportedError(spec, `nft reject with ${spec} is not modelled`);
              expressions.push({ kind: "reject", with: spec as NftRejectWith });
            } else throw new UnsupportedError(kind.text, `nft reject with ${kind.text} is modelled only behind an IPv6 match in an inet table`);
          } else if (family === "inet" && network) {
            // stmt_evaluate_reject_default(): an inet rule that settled IPv4 rejects with icmp (listed so), not icmpx.
            expressions.push({ kind: "reject", with: "icmp port-unreachable" });
          } else expressions.push({ kind: "reject" });
          continue;
        }
        case "log": {
          this.next();
          let prefix: string | undefined;
          if (this.accept("prefix")) prefix = this.next().text;
          expressions.push(prefix === undefined ? { kind: "log" } : { kind: "log", prefix });
          continue;
        }
        case "notrack":
          this.next();
          expressions.push({ kind: "notrack" });
          continue;
        case "mark":
        case "meta":
        case "ct":
          if ((token.text === "mark" && this.is("set", 1)) || (token.text !== "mark" && this.is("mark", 1) && this.is("set", 2))) {
            this.next();
            if (token.text !== "mark") this.next();
            this.next();
            expressions.push(this.markValue(token.text === "ct" ? "ct" : "meta"));
            continue;
          }
          break;
        case "update":
        case "add": {
          // set_stmt: `update @set { KEY [timeout T] }` (kube-proxy's affinity sets); a statement on the element is not modelled.
          this.next();
          this.expect("@");
          const set = this.identifier().text;
          this.expect("{");
          const left: NftSelector[] = [];
          do {
            const parsed = this.selector();
            if (!parsed) throw this.unexpected();
            left.push(parsed.selector);
          } while (this.accept("."));
          const timeout = this.accept("timeout") ? this.time() : undefined;
          if (!this.is("}")) throw new UnsupportedError(this.peek().text, `nft's ${token.text} @set { KEY ${this.peek().text} } is not modelled`);
          this.next();
          expressions.push({ kind: "dynset", op: token.text, set, left, ...(timeout !== undefined ? { timeout } : {}) });
          continue;
        }
        case "ip6":
        case "icmpv6":
          expressions.push(this.ipv6Match(token, family));
          ipv6 = true;
          continue;
        case "fib": {
          // fib_expr with a result other than type (firewalld's IPv6 rpfilter, `fib saddr . mark . iif oif missing`): modelled behind meta nfproto ipv6 only.
          let offset = 1;
          while (this.is(".", offset + 1)) offset += 2;
          if (this.is("type", offset + 1)) break;
          const nfprotoIpv6 = expressions.some((expression) => expression.kind === "match" && expression.op === "==" && expression.left.length === 1 && expression.left[0]!.kind === "meta" && expression.left[0]!.key === "nfproto" && expression.right.kind === "value" && expression.right.value === 10);
          if (!nfprotoIpv6) throw new UnsupportedError(`fib ... ${this.peek(offset + 1).text}`, `nft's fib ... ${this.peek(offset + 1).text} is modelled only behind meta nfproto ipv6 (netsim makes no fib lookup but fib type)`);
          expressions.push({ kind: "ipv6-match", text: this.fibIpv6() });
          continue;
        }
        case "limit":
        case "quota":
        case "set":
        case "queue":
        case "dup":
        case "fwd":
          throw new UnsupportedError(token.text, `nft's ${token.text} statement is not modelled`);
      }
      const parsed = this.selector();
      if (!parsed) throw this.unexpected(token);
      const left: NftSelector[] = [parsed.selector];
      while (this.is(".")) {
        this.next();
        const more = this.selector();
        if (!more) throw this.unexpected();
        left.push(more.selector);
      }
      const types = left.map(selectorType);
      // A header field settles its protocol (its payload dependency); th settles none.
      for (const selector of left) {
        if (selector.kind === "ip" || selector.kind === "icmp") network = true;
        if (selector.kind === "l4" && selector.protocol !== "th") transport ??= { name: selector.protocol, at: { ...parsed.first, last: parsed.last.last } };
        if (selector.kind === "icmp") transport ??= { name: "icmp", at: { ...parsed.first, last: parsed.last.last } };
        if (selector.kind === "tcpflags") transport ??= { name: "tcp", at: { ...parsed.first, last: parsed.last.last } };
      }
      // The transport protocol a port or protocol match settles (payload dependencies: a second one must agree).
      for (const selector of left) {
        if (selector.kind === "l4" && selector.protocol !== "th") {
          if (protocol !== undefined && protocol !== selector.protocol && protocolAt !== undefined) throw new NftSyntaxError(parsed.first, parsed.last, `conflicting protocols specified: ${protocol} vs. ${selector.protocol}`);
          protocol = selector.protocol;
          protocolAt = parsed.first;
        }
        if (selector.kind === "l4" && selector.protocol === "th") protocol ??= "th";
      }
      if (this.accept("&") || this.accept("and")) {
        const mask = this.number();
        const only = left[0]!;
        if (left.length !== 1 || only.kind !== "meta" || only.key !== "mark") throw new UnsupportedError("&", "nft's bitwise & is modelled for meta mark only");
        left[0] = { kind: "meta", key: "mark", mask };
      }
      if (this.accept("vmap")) {
        if (this.accept("@")) expressions.push({ kind: "vmap", left, types, map: { kind: "setref", name: this.identifier().text } });
        else {
          counter.sets++;
          expressions.push({ kind: "vmap", left, types, map: { kind: "set", elements: this.elementList(types, "verdict") } });
        }
        continue;
      }
      let op: "==" | "!=" = "==";
      if (this.accept("!=")) op = "!=";
      else this.accept("==");
      const rightToken = this.peek();
      const right = this.right(types, counter);
      // expr_evaluate_numgen(): the context's maxval is mod + offset - 1, and a value above it is refused (a verdict map's keys are not checked).
      const numgen = left.length === 1 && left[0]!.kind === "numgen" ? left[0] : undefined;
      if (numgen && right.kind === "value" && typeof right.value === "number" && right.value > numgen.modulus + (numgen.offset ?? 0) - 1) throw new NftSyntaxError(rightToken, rightToken, `Value ${right.value} exceeds valid range 0-${numgen.modulus + (numgen.offset ?? 0) - 1}`);
      // meta_expr_evaluate(): an nfproto match says nothing in a table of one family.
      if (family === "ip" && left.some((selector) => selector.kind === "meta" && selector.key === "nfproto")) throw new NftSyntaxError(parsed.first, parsed.last, "meta nfproto is only useful in the inet family");
      const at: Token = { ...parsed.first, last: this.tokens[this.at - 1]!.last };
      if (left.length === 1 && op === "==") {
        // relational_expr_pctx_update(): an equality on a protocol key (a set too, which settles no protocol tcp reset takes).
        if (types[0] === "inet_proto") transport ??= { name: right.kind === "value" ? (PROTOCOL_NAMES[right.value as number] ?? String(right.value)) : "set", at };
        if (types[0] === "nf_proto") network ||= right.kind === "value" && right.value === 2;
        if (types[0] === "nf_proto") ipv6 ||= right.kind === "value" && right.value === 10;
      }
      if (types[0] === "inet_proto" && right.kind === "value" && typeof right.value === "number" && op === "==") {
        protocol ??= right.value === 6 ? "tcp" : right.value === 17 ? "udp" : undefined;
      }
      if (right.kind === "set" && types[0] === "inet_proto") protocol ??= "th";
      expressions.push({ kind: "match", left, op, right, types });
    }
    const spec = { expressions, ...(comment !== undefined ? { comment } : {}) };
    return { rule: { ...spec, text: ruleText(spec, family) }, anonymousSets: counter.sets };
  }

  private deleteCommand(): NftStatement {
    const object = this.identifier();
    const family = this.family();
    // `delete table` and `delete chain` may name the object by handle instead.
    const table = this.objectName(object.text === "table" ? "handle or string" : "string");
    switch (object.text) {
      case "table":
        return { kind: "batch", command: { kind: "delete-table", family, name: table.text }, tokens: [table, table] };
      case "chain": {
        const name = this.objectName("handle or string");
        return { kind: "batch", command: { kind: "delete-chain", family, table: table.text, name: name.text }, tokens: [table, name] };
      }
      case "rule": {
        const chain = this.objectName();
        this.expect("handle");
        return { kind: "batch", command: { kind: "delete-rule", family, table: table.text, chain: chain.text, handle: this.number() }, tokens: [table, chain] };
      }
      case "set":
      case "map": {
        const name = this.objectName();
        return { kind: "batch", command: { kind: "delete-set", family, table: table.text, name: name.text }, tokens: [table, name] };
      }
      case "element": {
        const name = this.objectName();
        return { kind: "batch", command: { kind: "delete-element", family, table: table.text, set: name.text, elements: this.elementList(undefined, undefined) }, tokens: [table, name] };
      }
      default:
        throw this.unexpected(object);
    }
  }

  private flushCommand(): NftStatement {
    const object = this.identifier();
    if (object.text === "ruleset") return { kind: "batch", command: { kind: "flush-ruleset" }, tokens: [object, object] };
    const family = this.family();
    const table = this.objectName();
    switch (object.text) {
      case "table":
        return { kind: "batch", command: { kind: "flush-table", family, name: table.text }, tokens: [table, table] };
      case "chain": {
        const name = this.objectName();
        return { kind: "batch", command: { kind: "flush-chain", family, table: table.text, name: name.text }, tokens: [table, name] };
      }
      case "set":
      case "map": {
        const name = this.objectName();
        return { kind: "batch", command: { kind: "flush-set", family, table: table.text, name: name.text }, tokens: [table, name] };
      }
      default:
        throw this.unexpected(object);
    }
  }

  private listCommand(): NftStatement {
    const object = this.identifier();
    if (object.text === "ruleset" || object.text === "tables") {
      if (object.text === "ruleset" && this.peek().type === "word") {
        const family = this.next();
        throw new UnsupportedError(family.text, "nft list ruleset FAMILY is not modelled");
      }
      return { kind: "list", request: { what: object.text } };
    }
    const family = this.family(true);
    const table = this.objectName();
    if (object.text === "table") return { kind: "list", request: { what: "table", family, table: table.text, tokens: [table] } };
    const name = this.objectName();
    if (object.text === "chain" || object.text === "set" || object.text === "map") return { kind: "list", request: { what: object.text, family, table: table.text, name: name.text, tokens: [table, name] } };
    throw new UnsupportedError(object.text, `nft list ${object.text} is not modelled`);
  }
}

export function parseNft(text: string): NftStatement[] {
  return new Parser(scan(text)).parseAll();
}
