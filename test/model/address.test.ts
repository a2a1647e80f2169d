// parseIpv4Address reads the common dotted quad by hand and leaves every
// other text to ip-num: the two must agree on what is an address and on its
// value, for the forms rulesets hold and for the odd ones.
import { IPv4, Validator } from "ip-num";
import { describe, expect, it } from "vitest";
import { parseIpv4Address } from "../../src/model/address.js";

/** What ip-num alone answers (the path before the hand-read one). */
function ipNumAnswer(text: string): number | undefined {
  if (!/^\d{1,3}(\.\d{1,3}){3}$/.test(text)) return undefined;
  const [valid] = Validator.isValidIPv4String(text);
  return valid ? Number(IPv4.fromDecimalDottedString(text).getValue()) : undefined;
}

describe("parseIpv4Address", () => {
  it("reads dotted quads to their 32-bit value", () => {
    expect(parseIpv4Address("10.96.0.1")).toBe(0x0a600001);
    expect(parseIpv4Address("0.0.0.0")).toBe(0);
    expect(parseIpv4Address("255.255.255.255")).toBe(0xffffffff);
    expect(parseIpv4Address("192.168.7.7")).toBe(0xc0a80707);
  });

  it("refuses what ip-num refuses: leading zeros, octets over 255, other part counts, blanks, signs", () => {
    for (const text of ["010.1.1.1", "1.2.3.04", "00.1.2.3", "1.2.3.256", "256.0.0.1", "1.2.3", "1.2.3.4.5", "1..2.3", ".1.2.3", "1.2.3.", " 1.2.3.4", "1.2.3.4 ", "+1.2.3.4", "1.2.3.4/32", "1234.1.1.1", "", "a.b.c.d"]) {
      expect(parseIpv4Address(text), text).toBeUndefined();
      expect(ipNumAnswer(text), text).toBeUndefined();
    }
  });

  it("agrees with ip-num on seeded random texts of digits and dots", () => {
    let seed = 0x5eed;
    const random = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
    const alphabet = "0123456789.......25";
    let addresses = 0;
    for (let round = 0; round < 20000; round++) {
      let text = "";
      const length = 1 + Math.floor(random() * 15);
      for (let index = 0; index < length; index++) text += alphabet[Math.floor(random() * alphabet.length)];
      const answer = ipNumAnswer(text);
      if (answer !== undefined) addresses++;
      expect(parseIpv4Address(text), text).toBe(answer);
    }
    // The sample holds addresses as well as non-addresses.
    expect(addresses).toBeGreaterThan(50);
  });
});
