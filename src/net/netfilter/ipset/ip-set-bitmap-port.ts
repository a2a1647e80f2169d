// bitmap:port (net/netfilter/ipset/ip_set_bitmap_port.c, ip_set_bitmap_gen.h):
// one bit per port of the set's range, so members list in port order; a
// port outside the range is IPSET_ERR_BITMAP_RANGE. From a packet only TCP
// and UDP ports count (ip_set_get_ip_port).
import type { IpSet, IpSetElement } from "../../../model/ipset.js";
import { ipSetElementLength } from "./ip-set-hash-gen.js";

export function bitmapPortInRange(set: IpSet, port: number): boolean {
  const range = set.range!;
  return port >= range.first && port <= range.last;
}

/** Members in bit order. */
export function bitmapPortMembers(set: IpSet, live: (element: IpSetElement) => boolean): IpSetElement[] {
  return [...set.elements.values()].filter(live).sort((a, b) => a.port - b.port);
}

/**
 * mtype_head's memsize: struct bitmap_port (72 bytes), the bitmap in longs,
 * and every port's extension slot (ip_set_elem_len of no element), plus
 * each comment's text.
 */
export function bitmapPortMemsize(set: IpSet, live: (element: IpSetElement) => boolean): number {
  const range = set.range!;
  const ports = range.last - range.first + 1;
  const extensions = ipSetElementLength(set, 0);
  let size = 72 + Math.ceil(ports / 64) * 8 + ports * extensions;
  for (const element of set.elements.values()) if (live(element) && element.comment !== undefined) size += 16 + new TextEncoder().encode(element.comment).length + 1;
  return size;
}
