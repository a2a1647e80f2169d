// /etc/protocols as glibc's getprotobyname()/getprotobynumber() read it: the
// file is netbase 6.4's (Debian 12), the machine the answers were recorded on.
// iptables (libxtables) and iproute2 (inet_proto_a2n/n2a) both look names up here.
const ETC_PROTOCOLS =
  "ip 0 hopopt 0 icmp 1 igmp 2 ggp 3 ipencap 4 st 5 tcp 6 egp 8 igp 9 pup 12 udp 17 hmp 20 xns-idp 22 rdp 27 iso-tp4 29 dccp 33 xtp 36 ddp 37 idpr-cmtp 38 ipv6 41 ipv6-route 43 ipv6-frag 44 idrp 45 rsvp 46 gre 47 esp 50 ah 51 skip 57 ipv6-icmp 58 ipv6-nonxt 59 ipv6-opts 60 rspf 73 vmtp 81 eigrp 88 ospf 89 ax.25 93 ipip 94 etherip 97 encap 98 pim 103 ipcomp 108 vrrp 112 l2tp 115 isis 124 sctp 132 fc 133 mobility-header 135 udplite 136 mpls-in-ip 137 manet 138 hip 139 shim6 140 wesp 141 rohc 142 ethernet 143 mptcp 262";

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

/** getprotobyname(): the protocol's number, undefined when the file does not name it. */
export function getprotobyname(name: string): number | undefined {
  return BY_NAME.get(name);
}

/** getprotobynumber(): the first name for the number, undefined when none. */
export function getprotobynumber(number: number): string | undefined {
  return BY_NUMBER.get(number);
}
