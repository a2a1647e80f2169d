// IPv6 addresses as text and as 128-bit numbers, the way glibc's
// inet_pton(AF_INET6) reads them and inet_ntop(AF_INET6) writes them
// (resolv/inet_pton.c: inet_pton6, resolv/inet_ntop.c: inet_ntop6). netsim
// carries no IPv6 packets; these serve the rules ip6tables holds.

const HEX = /^[0-9a-fA-F]{1,4}$/;
const DOTTED = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/** inet_pton6(): eight groups of up to four hex digits, one `::` for a run of zeros, a dotted quad as the last two; undefined otherwise. */
export function parseIpv6Address(text: string): bigint | undefined {
  const halves = text.split("::");
  if (halves.length > 2) return undefined;
  const groups = (part: string): number[] | undefined => {
    if (part === "") return [];
    const words = part.split(":");
    const values: number[] = [];
    for (let index = 0; index < words.length; index++) {
      const word = words[index]!;
      const dotted = index === words.length - 1 ? DOTTED.exec(word) : null;
      if (dotted) {
        const octets = dotted.slice(1).map(Number);
        if (octets.some((octet) => octet > 255) || dotted.slice(1).some((octet) => octet.length > 1 && octet.startsWith("0"))) return undefined;
        values.push((octets[0]! << 8) | octets[1]!, (octets[2]! << 8) | octets[3]!);
      } else if (HEX.test(word)) values.push(parseInt(word, 16));
      else return undefined;
    }
    return values;
  };
  const head = groups(halves[0]!);
  const tail = halves.length === 2 ? groups(halves[1]!) : [];
  if (!head || !tail) return undefined;
  const count = head.length + tail.length;
  if (halves.length === 1 ? count !== 8 : count > 7) return undefined;
  const all = [...head, ...Array<number>(8 - count).fill(0), ...tail];
  return all.reduce((value, group) => (value << 16n) | BigInt(group), 0n);
}

/** inet_ntop6(): lower-case groups, the longest run of two or more zero groups (the first of equals) as `::`, an IPv4-mapped or -compatible tail as a dotted quad. */
export function formatIpv6Address(value: bigint): string {
  const words: number[] = [];
  for (let index = 7; index >= 0; index--) words.push(Number((value >> BigInt(index * 16)) & 0xffffn));
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
    // The IPv4 forms: ::a.b.c.d (6 zero groups) and ::ffff:a.b.c.d.
    if (index === 6 && best.base === 0 && (best.length === 6 || (best.length === 5 && words[5] === 0xffff))) {
      text += `${words[6]! >> 8}.${words[6]! & 0xff}.${words[7]! >> 8}.${words[7]! & 0xff}`;
      break;
    }
    text += words[index]!.toString(16);
  }
  if (best.base >= 0 && best.base + best.length === 8) text += ":";
  return text;
}

/** The mask of a prefix length, 0-128. */
export function ipv6PrefixMask(length: number): bigint {
  return length === 0 ? 0n : ((1n << 128n) - 1n) ^ ((1n << BigInt(128 - length)) - 1n);
}

/** The prefix length of a contiguous mask; undefined for any other. */
export function ipv6MaskLength(mask: bigint): number | undefined {
  for (let length = 0; length <= 128; length++) if (ipv6PrefixMask(length) === mask) return length;
  return undefined;
}
