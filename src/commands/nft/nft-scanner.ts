// nft's scanner (nftables src/scanner.l): words, quoted strings, numbers,
// IPv4 addresses and punctuation, each with the line and columns an error's
// caret line points at. `#` starts a comment; a backslash joins lines.

export type TokenType = "word" | "string" | "number" | "addr" | "addr6" | "punct" | "newline" | "eof";

export interface Token {
  readonly type: TokenType;
  readonly text: string;
  /** 1-based line, and 1-based first and last column of the token (a tab is one column). */
  readonly line: number;
  readonly first: number;
  readonly last: number;
}

const PUNCT2 = new Set(["!=", "==", "<=", ">="]);
const PUNCT1 = new Set(["{", "}", ";", ",", ":", ".", "/", "-", "!", "=", "&", "|", "(", ")", "*", "<", ">", "@", "$", "^", "+"]);

/**
 * The words nft 1.0.6's scanner always returns as keywords (the rules outside
 * any start condition), which its grammar's identifier (STRING) is not:
 * `add chain inet t fwd` is a syntax error. Measured in the sandbox: each
 * word nft's token table names tried as `add chain ip t WORD`.
 */
export const KEYWORDS: ReadonlySet<string> = new Set(
  (
    "vmap include define redefine undefine fib socket tproxy osf synproxy typeof hook device devices table chain rule set element map flowtable handle " +
    "ruleset inet netdev add update replace create insert delete get list reset flush rename describe import export monitor all accept drop continue jump " +
    "goto return constant interval dynamic auto-merge timeout gc-interval elements expires policy size flow offload meter th bridge ether type vlan arp ip " +
    "ecn icmp igmp ip6 priority icmpv6 ah esp comp flags udp udplite tcp dccp sctp rt rt0 rt2 srh hbh frag dst mh meta mark iif iifname iiftype oif " +
    "oifname oiftype skuid skgid nftrace rtclassid ibriport obriport ibrname obrname pkttype cpu iifgroup oifgroup cgroup time ct counter log limit quota " +
    "secmark hour day reject snat dnat masquerade redirect random queue dup fwd numgen jhash symhash position index comment notrack exists missing exthdr " +
    "ipsec xt"
  ).split(" "),
);

/** The operator words and the token names bison's errors give them (`eq` is `==`, `or` is `'|'`). */
export const OPERATOR_WORDS: Readonly<Record<string, string>> = { eq: "==", ne: "!=", lt: "<", gt: ">", le: "<=", ge: ">=", and: "&", or: "'|'", xor: "^", not: "!", lshift: "<<", rshift: ">>" };

export class ScanError extends Error {
  constructor(readonly token: Token, readonly why: string) {
    super(why);
  }
}

export function scan(text: string): Token[] {
  const tokens: Token[] = [];
  let line = 1;
  let lineStart = 0;
  let at = 0;
  const push = (type: TokenType, value: string, start: number, end: number) => tokens.push({ type, text: value, line, first: start - lineStart + 1, last: end - lineStart });
  while (at < text.length) {
    const character = text[at]!;
    if (character === " " || character === "\t" || character === "\r") {
      at++;
      continue;
    }
    if (character === "\\" && text[at + 1] === "\n") {
      at += 2;
      line++;
      lineStart = at;
      continue;
    }
    if (character === "\n") {
      push("newline", "\n", at, at + 1);
      at++;
      line++;
      lineStart = at;
      continue;
    }
    if (character === "#") {
      while (at < text.length && text[at] !== "\n") at++;
      continue;
    }
    if (character === '"') {
      const end = text.indexOf('"', at + 1);
      const close = end < 0 || text.slice(at + 1, end).includes("\n") ? -1 : end;
      if (close < 0) {
        const token: Token = { type: "string", text: text.slice(at + 1), line, first: at - lineStart + 1, last: at - lineStart + 1 };
        throw new ScanError(token, "syntax error, unexpected junk");
      }
      push("string", text.slice(at + 1, close), at, close + 1);
      at = close + 1;
      continue;
    }
    const rest = text.slice(at, at + 64);
    // scanner.l's ip6addr: hex groups with `::` or all eight, an IPv4 tail allowed (`::ffff:0.0.0.0`).
    const address6 = /^(?:[0-9a-fA-F]{0,4}:){2,7}(?:\d+\.\d+\.\d+\.\d+|[0-9a-fA-F]{1,4})?(?![0-9A-Za-z_:.])/.exec(rest);
    if (address6 && (address6[0].includes("::") || address6[0].split(":").length === 8)) {
      push("addr6", address6[0], at, at + address6[0].length);
      at += address6[0].length;
      continue;
    }
    const address = /^\d+\.\d+\.\d+\.\d+/.exec(rest);
    if (address) {
      push("addr", address[0], at, at + address[0].length);
      at += address[0].length;
      continue;
    }
    const number = /^(0x[0-9a-fA-F]+|\d+)(?![A-Za-z_])/.exec(rest);
    if (number) {
      push("number", number[0], at, at + number[0].length);
      at += number[0].length;
      continue;
    }
    // A word may end in `*` (nft's asteriskstring: an interface name wildcard); like nft's identifier it may hold `/` (kube-proxy's chain names).
    const word = /^[A-Za-z_\d][A-Za-z0-9_\-./]*\*?/.exec(text.slice(at, at + 256));
    if (word) {
      let value = word[0];
      // A word does not end in a dot: `a . b` concatenations are spaced, and `x.` is the word and a dot.
      while (value.endsWith(".")) value = value.slice(0, -1);
      push("word", value, at, at + value.length);
      at += value.length;
      continue;
    }
    const two = text.slice(at, at + 2);
    if (PUNCT2.has(two)) {
      push("punct", two, at, at + 2);
      at += 2;
      continue;
    }
    if (PUNCT1.has(character)) {
      push("punct", character, at, at + 1);
      at++;
      continue;
    }
    throw new ScanError({ type: "punct", text: character, line, first: at - lineStart + 1, last: at - lineStart + 1 }, "syntax error, unexpected junk");
  }
  tokens.push({ type: "eof", text: "", line, first: at - lineStart + 1, last: at - lineStart + 1 });
  return tokens;
}
