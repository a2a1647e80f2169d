// Why an iptables rule did not match a packet, in words: the engine reports
// which test failed and what it saw (MatchMismatch: the ipt_ip part or a
// match module, net/netfilter/xt-*.ts); a trace step shows this text as its
// decision's `mismatch` and in its `why`.
import { formatIpv4Address } from "../model/address.js";
import type { MatchMismatch } from "../model/trace-reason.js";
import { formatStatisticProbability } from "../net/index.js";

function hex(value: number): string {
  return `0x${value.toString(16).padStart(2, "0")}`;
}

function not(invert: boolean): string {
  return invert ? "" : "not ";
}

export function mismatchText(mismatch: MatchMismatch): string {
  const address = formatIpv4Address;
  switch (mismatch.match) {
    case "ip-address":
      return `${mismatch.side} ${address(mismatch.address)} is ${not(mismatch.invert)}in ${address(mismatch.selector)}/${mismatch.mask !== undefined ? address(mismatch.mask) : mismatch.prefixLength}`;
    case "ip-interface":
      return `${mismatch.side} ${mismatch.name ? mismatch.name : "(none)"} is ${not(mismatch.invert)}${mismatch.pattern}`;
    case "ip-protocol":
      return `protocol ${mismatch.protocol} is ${not(mismatch.invert)}${mismatch.number}`;
    case "tcp-udp-protocol":
      return `not ${mismatch.kind}`;
    case "tcp-udp-port":
      return `${mismatch.side} port ${mismatch.port} is ${not(mismatch.invert)}${mismatch.first === mismatch.last ? String(mismatch.first) : `${mismatch.first}:${mismatch.last}`}`;
    case "tcp-flags":
      return `TCP flags ${hex(mismatch.bits)} masked with ${hex(mismatch.mask)} are ${mismatch.holds ? "" : "not "}${hex(mismatch.compare)}`;
    case "icmp":
      return mismatch.type === undefined ? "not icmp" : `icmp type ${mismatch.type} code ${mismatch.code} does not match`;
    case "icmp6":
      return "an IPv4 packet is not ICMPv6";
    case "multiport":
      return mismatch.port === undefined ? "no ports (icmp)" : `${mismatch.side} port ${mismatch.port} is ${not(mismatch.invert)}in the list`;
    case "state":
      return `state ${mismatch.state} is ${not(mismatch.invert)}${mismatch.states.join(",")}`;
    case "ctstate":
      return `ctstate ${mismatch.bits.join(",")} is ${not(mismatch.invert)}${mismatch.states.join(",")}`;
    case "ct-no-entry":
      return "the packet has no conntrack entry";
    case "ctdir":
      return `ctdir is ${mismatch.direction}`;
    case "ct-address":
      return `${mismatch.option} ${address(mismatch.address)} does not match`;
    case "ctproto":
      return `ctproto ${mismatch.protocol} does not match`;
    case "ct-port":
      return `${mismatch.option} ${mismatch.port} does not match`;
    case "ctstatus":
      return `ctstatus 0x${mismatch.status.toString(16)} does not match`;
    case "ctexpire":
      return `ctexpire ${mismatch.seconds} does not match`;
    case "addrtype":
      return `${mismatch.side} type ${mismatch.type} is ${not(mismatch.invert)}${mismatch.types.join(",")}`;
    case "physdev-not-bridged":
      return "not bridged";
    case "physdev-bridged":
      return `the packet is ${mismatch.bridged ? "" : "not "}bridged`;
    case "physdev-is-in":
      return "physdev-is-in does not hold";
    case "physdev-is-out":
      return "physdev-is-out does not hold";
    case "physdev-port":
      return mismatch.side === "in" ? `came in on bridge port ${mismatch.port ?? "(none)"}` : `goes out of bridge port ${mismatch.port ?? "(none)"}`;
    case "iprange":
      return `${mismatch.side} ${address(mismatch.address)} is ${not(mismatch.invert)}in ${address(mismatch.first)}-${address(mismatch.last)}`;
    case "owner":
      return mismatch.cause === "kernel" ? "the packet was sent by the kernel's own socket" : mismatch.cause === "no-socket" ? "the packet has no local socket" : "the packet has a socket";
    case "owner-id":
      return `socket ${mismatch.which} ${mismatch.id} does not match`;
    case "statistic-random":
      return `statistic: the random draw ${mismatch.invert ? "fell under" : "did not fall under"} probability ${formatStatisticProbability(mismatch.probability)}`;
    case "statistic-nth":
      return `statistic: ${not(mismatch.invert)}the packet ${mismatch.packet} of every ${mismatch.every}`;
    case "mark":
      return `mark 0x${mismatch.mark.toString(16)} does not match`;
    case "set": {
      const element = mismatch.element;
      const what =
        element === undefined
          ? "the packet"
          : !("ip" in element)
            ? `port ${element.port}`
            : `${address(element.ip)}${element.protocol ? `,${element.protocol === 1 ? "icmp" : element.protocol === 6 ? "tcp" : "udp"}:${element.port}` : ""}`;
      return `set: ${what} ${mismatch.invert ? "is" : "is not"} in set ${mismatch.name}${mismatch.returnNomatch ? " (return-nomatch)" : ""}`;
    }
    case "limit":
      return `over the limit: the bucket holds ${Math.floor(mismatch.credit / 1000)} µs of credit, a packet costs ${Math.floor(mismatch.cost / 1000)} µs`;
    case "recent": {
      const listed = `listed${mismatch.seconds !== undefined ? ` within ${mismatch.seconds} s` : ""}${mismatch.hitcount !== undefined ? ` ${mismatch.hitcount} times` : ""}`;
      return `recent ${mismatch.name}: ${address(mismatch.address)} ${mismatch.invert ? "is" : "is not"} ${mismatch.mode === "set" ? "set" : listed}`;
    }
    case "connlimit":
      return `${mismatch.count} connection(s) from the ${mismatch.side}/${mismatch.prefixLength}: ${mismatch.upto ? "above" : "not above"} ${mismatch.limit}`;
    case "none":
      return "";
  }
}
