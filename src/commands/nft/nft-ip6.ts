// nft's IPv6 values (nftables src/datatype.c ip6addr_type, src/proto.c
// icmp6_type_tbl): addresses read as inet_pton reads them and printed as
// glibc's inet_ntop prints them, and the ICMPv6 type names. netsim carries
// IPv4 packets only, so these serve the IPv6 matches it keeps as text
// (firewalld's `ip6 daddr { ... }`, `icmpv6 type ...`), which no packet passes.

/** An IPv6 address as inet_pton(AF_INET6) reads it (hex groups, one `::`, an IPv4 tail), or undefined. */
export function parseIpv6(text: string): bigint | undefined {
  let head = text;
  let tail: number[] = [];
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (dotted) {
    const bytes = dotted.slice(1).map(Number);
    if (bytes.some((byte) => byte > 255)) return undefined;
    tail = [(bytes[0]! << 8) | bytes[1]!, (bytes[2]! << 8) | bytes[3]!];
    head = text.slice(0, dotted.index);
    if (!head.endsWith(":")) return undefined;
    head = head.endsWith("::") ? head : head.slice(0, -1);
  }
  const halves = head.split("::");
  if (halves.length > 2) return undefined;
  const groups = (part: string): number[] | undefined => {
    if (part === "") return [];
    const words = part.split(":");
    if (words.some((word) => !/^[0-9a-fA-F]{1,4}$/.test(word))) return undefined;
    return words.map((word) => parseInt(word, 16));
  };
  const before = groups(halves[0]!);
  const after = halves.length === 2 ? groups(halves[1]!) : [];
  if (!before || !after) return undefined;
  const known = before.length + after.length + tail.length;
  if (halves.length === 1 ? known !== 8 : known > 7) return undefined;
  const words = [...before, ...new Array<number>(8 - known).fill(0), ...after, ...tail];
  return words.reduce((value, word) => (value << 16n) | BigInt(word), 0n);
}

/** inet_ntop(AF_INET6): the longest run of two or more zero groups (the first of equals) as `::`, an IPv4-mapped or -compatible tail dotted. */
export function formatIpv6(value: bigint): string {
  const words = Array.from({ length: 8 }, (_, index) => Number((value >> BigInt(112 - 16 * index)) & 0xffffn));
  let best = { base: -1, length: 0 };
  let current = { base: -1, length: 0 };
  words.forEach((word, index) => {
    if (word === 0) {
      current = current.base < 0 ? { base: index, length: 1 } : { base: current.base, length: current.length + 1 };
      if (current.length > best.length) best = current;
    } else current = { base: -1, length: 0 };
  });
  if (best.length < 2) best = { base: -1, length: 0 };
  let text = "";
  for (let index = 0; index < 8; index++) {
    if (best.base >= 0 && index >= best.base && index < best.base + best.length) {
      if (index === best.base) text += ":";
      continue;
    }
    if (index !== 0) text += ":";
    // glibc's inet_ntop6: ::a.b.c.d and ::ffff:a.b.c.d keep their IPv4 tail.
    if (index === 6 && best.base === 0 && (best.length === 6 || (best.length === 5 && words[5] === 0xffff))) {
      text += `${words[6]! >> 8}.${words[6]! & 0xff}.${words[7]! >> 8}.${words[7]! & 0xff}`;
      break;
    }
    text += words[index]!.toString(16);
  }
  if (best.base >= 0 && best.base + best.length === 8) text += ":";
  return text;
}

/** The address with its host bits cleared, as nft stores a prefix. */
export function ipv6Network(value: bigint, length: number): bigint {
  const host = (1n << BigInt(128 - length)) - 1n;
  return value & ~host & ((1n << 128n) - 1n);
}

/** icmp6_type_tbl: the ICMPv6 type names nft reads and lists. */
export const ICMPV6_TYPES: readonly (readonly [string, number])[] = [
  ["destination-unreachable", 1],
  ["packet-too-big", 2],
  ["time-exceeded", 3],
  ["parameter-problem", 4],
  ["echo-request", 128],
  ["echo-reply", 129],
  ["mld-listener-query", 130],
  ["mld-listener-report", 131],
  ["mld-listener-done", 132],
  ["mld-listener-reduction", 132],
  ["nd-router-solicit", 133],
  ["nd-router-advert", 134],
  ["nd-neighbor-solicit", 135],
  ["nd-neighbor-advert", 136],
  ["nd-redirect", 137],
  ["router-renumbering", 138],
  ["ind-neighbor-solicit", 141],
  ["ind-neighbor-advert", 142],
  ["mld2-listener-report", 143],
];
