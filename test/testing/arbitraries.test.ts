import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ephemeralPort, flow, ipv4Inside, ipv4Outside, packet, parsePrefix, prefixHolds, privatePrefix } from "../../src/testing/index.js";

describe("testing/arbitraries", () => {
  it("addresses inside a prefix are in it, and leave out network, broadcast and exclusions", () => {
    fc.assert(
      fc.property(ipv4Inside("10.1.2.0/29", { exclude: ["10.1.2.1"] }), (address) => {
        expect(prefixHolds("10.1.2.0/29", address)).toBe(true);
        expect(["10.1.2.0", "10.1.2.7", "10.1.2.1"]).not.toContain(address);
      }),
      { seed: 1, numRuns: 200 },
    );
  });

  it("addresses outside prefixes are ordinary unicast outside all of them", () => {
    fc.assert(
      fc.property(ipv4Outside(["10.0.0.0/8", "1.0.0.0/8"]), (address) => {
        expect(prefixHolds("10.0.0.0/8", address) || prefixHolds("1.0.0.0/8", address)).toBe(false);
        const first = Number(address.split(".")[0]);
        expect(first).toBeGreaterThan(0);
        expect(first).toBeLessThan(224);
        expect(first).not.toBe(127);
      }),
      { seed: 1, numRuns: 200 },
    );
  });

  it("private prefixes are RFC 1918 networks of the asked lengths", () => {
    fc.assert(
      fc.property(privatePrefix({ minLength: 20, maxLength: 24 }), (text) => {
        const parsed = parsePrefix(text);
        expect(parsed.length).toBeGreaterThanOrEqual(20);
        expect(parsed.length).toBeLessThanOrEqual(24);
        expect(["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"].some((block) => prefixHolds(block, text.split("/")[0]!))).toBe(true);
        expect(`${text.split("/")[0]}`).toBe(text.split("/")[0]);
      }),
      { seed: 1, numRuns: 100 },
    );
    expect(() => parsePrefix("10.0.0.0/33")).toThrow(/not an IPv4 prefix/);
  });

  it("flows and packets respect their constraints", () => {
    fc.assert(
      fc.property(flow({ from: ["c0", "c1"], to: "8.8.8.8", protocols: ["tcp", "icmp"], ports: [80] }), ephemeralPort(), (generated, client) => {
        expect(["c0", "c1"]).toContain(generated.from);
        expect(generated.to).toBe("8.8.8.8");
        if (generated.protocol === "tcp") expect(generated.port).toBe(80);
        else expect(generated.port).toBeUndefined();
        expect(client).toBeGreaterThanOrEqual(32768);
        expect(client).toBeLessThanOrEqual(60999);
      }),
      { seed: 1, numRuns: 100 },
    );
    fc.assert(
      fc.property(packet({ source: "10.0.0.1", destination: ipv4Inside("10.0.0.0/24"), protocols: ["udp"] }), (generated) => {
        expect(generated.source).toBe(0x0a000001);
        expect(generated.transport.protocol).toBe("udp");
      }),
      { seed: 1, numRuns: 50 },
    );
  });
});
