// The hash set types (net/netfilter/ipset/ip_set_hash_gen.h, the template
// ip_set_hash_ip.c, ip_set_hash_net.c, ip_set_hash_ipport.c and
// ip_set_hash_netport.c instantiate): an element is its dimensions; the net
// types test an address against each prefix length the set holds, most
// specific first (mtype_test_cidrs), and a `nomatch` element found first
// answers -ENOTEMPTY (no match).
//
// The kernel's buckets are ordered by jhash with a random initval; the model
// keeps elements in insertion order (what `ipset list` shows differs only in
// order, which the kernel's own runs do not repeat either).
import { prefixMask } from "../../../model/address.js";
import { ipSetElementKey, type IpSet, type IpSetElement } from "../../../model/ipset.js";

/** The types whose elements carry a prefix length (IP_SET_HASH_WITH_NETS). */
export function hashWithNets(set: IpSet): boolean {
  return set.type === "hash:net" || set.type === "hash:net,port";
}

/** The prefix lengths the set holds, longest first (h->nets[], kept sorted by mtype_add_cidr). */
export function hashNetCidrs(set: IpSet): number[] {
  const cidrs = new Set<number>();
  for (const element of set.elements.values()) cidrs.add(element.cidr);
  return [...cidrs].sort((a, b) => b - a);
}

export type HashTestResult = { readonly kind: "match"; readonly element: IpSetElement } | { readonly kind: "nomatch"; readonly element: IpSetElement } | { readonly kind: "miss" };

/** mtype_test: the element exactly, or (net types, a host address) mtype_test_cidrs. `live` says whether an element still counts (not timed out). */
export function hashTest(set: IpSet, probe: Pick<IpSetElement, "ip" | "cidr" | "protocol" | "port">, live: (element: IpSetElement) => boolean): HashTestResult {
  const found = (element: IpSetElement | undefined): HashTestResult | undefined => {
    if (element === undefined || !live(element)) return undefined;
    return element.nomatch ? { kind: "nomatch", element } : { kind: "match", element };
  };
  if (!hashWithNets(set) || probe.cidr !== 32) return found(set.elements.get(ipSetElementKey(probe))) ?? { kind: "miss" };
  for (const cidr of hashNetCidrs(set)) {
    const key = ipSetElementKey({ ...probe, ip: (probe.ip & prefixMask(cidr)) >>> 0, cidr });
    const result = found(set.elements.get(key));
    if (result) return result;
  }
  return { kind: "miss" };
}

/**
 * ip_set_elem_len(): the element struct (4 bytes for hash:ip, 8 for the
 * others, aligned to 4; bitmap:port none), then each extension the set has,
 * in ip_set_extensions[] order, at its alignment: timeout 8, counters 16,
 * the comment's pointer 8 (aligned to 8), skbinfo 16 (aligned to 4); the
 * whole aligned to the largest alignment.
 */
export function ipSetElementLength(set: IpSet, length: number): number {
  let align = length === 0 ? 1 : 4;
  const add = (size: number, alignment: number) => {
    length = Math.ceil(length / alignment) * alignment + size;
    align = Math.max(align, alignment);
  };
  if (set.timeout !== undefined) add(8, 8);
  if (set.counters) add(16, 8);
  if (set.comment) add(8, 8);
  if (set.skbinfo) add(16, 4);
  return Math.ceil(length / align) * align;
}

function hashDataSize(set: IpSet): number {
  return ipSetElementLength(set, set.type === "hash:ip" ? 4 : 8);
}

const UTF8 = new TextEncoder();

/**
 * mtype_head's memsize: the set's struct and regions, each bucket (struct
 * hbucket, 32 bytes, room for AHASH_INIT_SIZE = 2 elements) and each comment
 * (struct ip_set_comment_rcu, 16 bytes, and the text with its NUL). The model
 * puts every element in a bucket of its own, as the kernel does unless two
 * hash alike (which its random initval makes a matter of chance).
 */
export function hashMemsize(set: IpSet): number {
  const base = hashWithNets(set) ? 456 : 216;
  const bits = Math.log2(set.hashsize);
  const regions = bits < 10 ? 1 : 2 ** (bits - 10);
  let size = base + (regions - 1) * 24;
  const bucket = 32 + 2 * hashDataSize(set);
  // A timed-out element not yet collected still has its bucket; so do those the gc left (set.held).
  size += set.held.size * bucket;
  for (const element of set.elements.values()) {
    size += bucket;
    if (element.comment !== undefined) size += 16 + UTF8.encode(element.comment).length + 1;
  }
  return size;
}
