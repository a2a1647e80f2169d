// IP sets as plain data (include/linux/netfilter/ipset/ip_set.h: struct
// ip_set, its type's data and each element's extensions). A namespace's sets
// belong to its netfilter state (the kernel's per-netns ip_set_net), in
// index order, which is the order `ipset list` shows them.
import type { Ipv4Address } from "./address.js";

/** The set types the model has (net/netfilter/ipset/ip_set_hash_*.c, ip_set_bitmap_port.c). */
export type IpSetTypeName = "hash:ip" | "hash:net" | "hash:ip,port" | "hash:net,port" | "bitmap:port";

/**
 * One element with its extensions. Dimensions a type has not are 0: hash:ip
 * keeps `ip` (cidr 32), hash:net `ip`/`cidr`, the ,port types `protocol` and
 * `port` too (ICMP: type << 8 | code), bitmap:port only `port`.
 */
export interface IpSetElement {
  readonly ip: Ipv4Address;
  readonly cidr: number;
  readonly protocol: number;
  readonly port: number;
  /** hash:net* `nomatch`: a hit on this element is a miss. */
  nomatch: boolean;
  /** Sets with timeout support: when it expires (µs on the virtual clock); undefined: never (`timeout 0`). */
  expires?: number;
  /** Sets with counters. */
  packets: number;
  bytes: number;
  /** Sets with comment support. */
  comment?: string;
  /** Sets with skbinfo support (struct ip_set_skbinfo): what SET --map-set gives a packet; 0 when not given (then not listed). */
  skbmark: number;
  skbmarkmask: number;
  /** TC_H_MAKE(major << 16, minor). */
  skbprio: number;
  skbqueue: number;
}

export interface IpSet {
  name: string;
  type: IpSetTypeName;
  /** hash types: the bucket count (a power of two, at least 64) and maxelem. */
  hashsize: number;
  maxelem: number;
  /** hash:ip netmask (prefix length); 32 when not given. */
  netmask: number;
  /** bitmap:port: first and last port. */
  range?: { readonly first: number; readonly last: number };
  /** Default timeout in seconds; undefined: the set has no timeout support. */
  timeout?: number;
  counters: boolean;
  comment: boolean;
  /** The skbinfo extension (`ipset create NAME TYPE skbinfo`). */
  skbinfo: boolean;
  /** The hash's initval (random in the kernel: seeded here). */
  initval: number;
  /** Elements by their key (ipSetElementKey), in insertion order. */
  elements: Map<string, IpSetElement>;
  /**
   * Hash types: keys of elements the gc removed whose bucket stays allocated
   * (mtype_gc_do frees a bucket only when AHASH_INIT_SIZE entries of it
   * went): counted in the memsize until the element comes back or a flush.
   */
  held: Set<string>;
}

export interface IpSetState {
  /** The sets by index (ip_set_list): a destroyed set leaves its slot empty, and the next create takes the first empty slot. */
  sets: (IpSet | null)[];
  /** Sets created so far: seeds the next initval. */
  created: number;
}

/** An element as a command gives it (the nfnetlink attributes of IPSET_CMD_ADD/DEL/TEST). */
export interface IpSetElementSpec {
  readonly ip: Ipv4Address;
  readonly cidr: number;
  readonly protocol: number;
  readonly port: number;
  readonly nomatch: boolean;
  /** Seconds; absent: the set's default. */
  readonly timeout?: number;
  readonly packets?: number;
  readonly bytes?: number;
  readonly comment?: string;
  /** skbmark MARK[/MASK] (the mask 0xffffffff when not given). */
  readonly skbmark?: { readonly mark: number; readonly mask: number };
  readonly skbprio?: number;
  readonly skbqueue?: number;
}

/** What `ipset create` asks for (IPSET_CMD_CREATE). */
export interface IpSetCreate {
  readonly name: string;
  readonly type: IpSetTypeName;
  readonly hashsize: number;
  readonly maxelem: number;
  readonly netmask: number;
  readonly range?: { readonly first: number; readonly last: number };
  readonly timeout?: number;
  readonly counters: boolean;
  readonly comment: boolean;
  readonly skbinfo: boolean;
  /** Given (a restored save): the hash's initval. */
  readonly initval?: number;
}

/** One ipset change, as the ipset tool sends it to the kernel. */
export type IpSetCommand =
  | { readonly kind: "create"; readonly create: IpSetCreate; readonly exist: boolean }
  | { readonly kind: "destroy"; readonly name?: string }
  | { readonly kind: "flush"; readonly name?: string }
  | { readonly kind: "rename"; readonly name: string; readonly newName: string }
  | { readonly kind: "swap"; readonly name: string; readonly other: string }
  | { readonly kind: "add" | "del"; readonly name: string; readonly elements: readonly IpSetElementSpec[]; readonly exist: boolean };

/** The kernel's answers (include/uapi/linux/netfilter/ipset/ip_set.h: ENOENT, EEXIST and the IPSET_ERR_* codes). */
export type IpSetError =
  | "ENOENT"
  | "EEXIST"
  | "IPSET_ERR_EXIST"
  | "IPSET_ERR_EXIST_SETNAME2"
  | "IPSET_ERR_BUSY"
  | "IPSET_ERR_REFERENCED"
  | "IPSET_ERR_TYPE_MISMATCH"
  | "IPSET_ERR_HASH_FULL"
  | "IPSET_ERR_HASH_ELEM"
  | "IPSET_ERR_INVALID_CIDR"
  | "IPSET_ERR_BITMAP_RANGE"
  | "IPSET_ERR_TIMEOUT"
  | "IPSET_ERR_COUNTER"
  | "IPSET_ERR_COMMENT"
  | "IPSET_ERR_SKBINFO";

/** The key of an element: its dimensions, not its extensions. */
export function ipSetElementKey(element: Pick<IpSetElement, "ip" | "cidr" | "protocol" | "port">): string {
  return `${element.ip}/${element.cidr},${element.protocol}:${element.port}`;
}
