// src/commands/nft/nft-ip6.ts: IPv6 addresses as nft 1.0.6 reads and lists
// them. The listed forms are nft 1.0.6's own (kernel sandbox, the rules of
// scenarios/regressions/nft-inet-ipv6-matches.sh and firewalld's RFC 3964 set).
import { describe, expect, it } from "vitest";
import { ipv6Network } from "../../../src/commands/nft/nft-ip6.js";
import { formatIpv6Address, parseIpv6Address } from "../../../src/model/ipv6-address.js";

const listed: readonly (readonly [string, string])[] = [
  ["2001:DB8:0:0:0:0:0:1", "2001:db8::1"],
  ["::ffff:10.0.0.2", "::ffff:10.0.0.2"],
  ["1:0:0:2:0:0:0:3", "1:0:0:2::3"],
  ["0:0:0:0:0:0:0:1", "::1"],
  ["1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8"],
  ["::ffff:0.0.0.0", "::ffff:0.0.0.0"],
  ["2002:a00::", "2002:a00::"],
  ["::", "::"],
];

describe("nft reads and prints IPv6 addresses as inet_pton/inet_ntop (model/ipv6-address.ts)", () => {
  it.each(listed)("%s lists as %s", (typed, shown) => {
    const value = parseIpv6Address(typed);
    expect(value).toBeDefined();
    expect(formatIpv6Address(value!)).toBe(shown);
  });

  it("refuses what inet_pton refuses", () => {
    for (const bad of ["1::2::3", "1:2:3:4:5:6:7:8:9", "12345::", "1:2:3:4:5:6:7", "::1.2.3.256"]) expect(parseIpv6Address(bad)).toBeUndefined();
  });

  it("masks a prefix's host bits (fe80::1/64 lists as fe80::/64)", () => {
    expect(formatIpv6Address(ipv6Network(parseIpv6Address("fe80::1")!, 64))).toBe("fe80::");
    expect(formatIpv6Address(ipv6Network(parseIpv6Address("2002:e0ff::")!, 19))).toBe("2002:e000::");
  });
});
