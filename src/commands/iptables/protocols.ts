// IP protocol names as iptables reads and prints them (libxtables:
// xtables_parse_protocol(), proto_to_name(); xtables_chain_protos first, then
// getprotobyname()/getprotobynumber() on /etc/protocols). The /etc/protocols
// here is netbase 6.4's (Debian 12), the machine the answers were recorded on.
const ETC_PROTOCOLS =
  "ip 0 hopopt 0 icmp 1 igmp 2 ggp 3 ipencap 4 st 5 tcp 6 egp 8 igp 9 pup 12 udp 17 hmp 20 xns-idp 22 rdp 27 iso-tp4 29 dccp 33 xtp 36 ddp 37 idpr-cmtp 38 ipv6 41 ipv6-route 43 ipv6-frag 44 idrp 45 rsvp 46 gre 47 esp 50 ah 51 skip 57 ipv6-icmp 58 ipv6-nonxt 59 ipv6-opts 60 rspf 73 vmtp 81 eigrp 88 ospf 89 ax.25 93 ipip 94 etherip 97 encap 98 pim 103 ipcomp 108 vrrp 112 l2tp 115 isis 124 sctp 132 fc 133 mobility-header 135 udplite 136 mpls-in-ip 137 manet 138 hip 139 shim6 140 wesp 141 rohc 142 ethernet 143 mptcp 262";

/** xtables_chain_protos: looked up before /etc/protocols, both ways. */
const CHAIN_PROTOS: readonly (readonly [string, number])[] = [
  ["tcp", 6], ["sctp", 132], ["udp", 17], ["udplite", 136], ["icmp", 1], ["ipv6-icmp", 58], ["icmpv6", 58], ["esp", 50], ["ah", 51], ["ipv6-mh", 135], ["mh", 135], ["all", 0],
];

const BY_NAME = new Map<string, number>();
const BY_NUMBER = new Map<number, string>();
{
  const words = ETC_PROTOCOLS.split(" ");
  for (let index = 0; index < words.length; index += 2) {
    const name = words[index]!;
    const number = Number(words[index + 1]);
    if (!BY_NAME.has(name)) BY_NAME.set(name, number);
    // getprotobynumber() answers the first line with the number.
    if (!BY_NUMBER.has(number)) BY_NUMBER.set(number, name);
  }
}

/** xtables_parse_protocol(): a number 0-255, else a name (already lower-cased by the caller); undefined when unknown. */
export function protocolNumber(text: string): number | undefined {
  const numeric = xtablesStrtoui(text, 0, 255);
  if (numeric !== undefined) return numeric;
  const named = BY_NAME.get(text);
  if (named !== undefined && named <= 255) return named;
  return CHAIN_PROTOS.find(([name]) => name === text)?.[1];
}

/** proto_to_name(): xtables_chain_protos, then /etc/protocols; the number when neither knows it. */
export function protocolName(number: number): string {
  return CHAIN_PROTOS.find(([, value]) => value === number)?.[0] ?? BY_NUMBER.get(number) ?? String(number);
}

/**
 * xtables_strtoui(s, NULL, &value, min, max): the whole text as strtoul(s, 0)
 * reads it (decimal, 0x hex, leading-0 octal), within [min, max].
 */
export function xtablesStrtoui(text: string, min: number, max: number): number | undefined {
  const match = /^\s*(\+)?(0x[0-9a-f]+|0[0-7]*|[1-9]\d*)$/i.exec(text);
  if (!match) return undefined;
  const digits = match[2]!;
  const value = /^0x/i.test(digits) ? parseInt(digits.slice(2), 16) : digits.startsWith("0") ? parseInt(digits, 8) || 0 : Number(digits);
  return value >= min && value <= max ? value : undefined;
}

/** xtables_strtoui(s, &end, ...): the leading number and the rest (undefined when no digits or out of range). */
export function xtablesStrtouiPrefix(text: string, min: number, max: number): { value: number; rest: string } | undefined {
  const match = /^\s*(\+)?(0x[0-9a-f]+|0[0-7]*|[1-9]\d*)/i.exec(text);
  if (!match) return undefined;
  const value = xtablesStrtoui(match[0], min, max);
  return value === undefined ? undefined : { value, rest: text.slice(match[0].length) };
}
