// glibc inet_aton() (net-tools, ping) against iproute2's get_addr_ipv4(): the
// short forms each takes, as measured (test/fixtures/iproute2/cases/link-names).
import { describe, expect, it } from "vitest";
import { formatIpv4Address } from "../../../src/model/address.js";
import { getAddrIpv4 } from "../../../src/commands/ip/ip-common.js";
import { classfulLength, inetAton, maskLength, nstrcmp } from "../../../src/commands/net-tools/inet.js";

const text = (address: number | undefined) => (address === undefined ? undefined : formatIpv4Address(address));

describe("inet_aton", () => {
  it("fills the last part to the right", () => {
    expect(text(inetAton("127.1"))).toBe("127.0.0.1");
    expect(text(inetAton("10.8"))).toBe("10.0.0.8");
    expect(text(inetAton("192.168.100"))).toBe("192.168.0.100");
    expect(text(inetAton("0"))).toBe("0.0.0.0");
    expect(text(inetAton("0x0a.010.0.1"))).toBe("10.8.0.1");
  });
  it("refuses what glibc refuses", () => {
    expect(inetAton("300.1.1.1")).toBeUndefined();
    expect(inetAton("1.2.3.4.5")).toBeUndefined();
    expect(inetAton("bogus")).toBeUndefined();
    expect(inetAton("10.0.0.0/24")).toBeUndefined();
    expect(inetAton("09")).toBeUndefined();
  });
});

describe("get_addr_ipv4", () => {
  it("fills the bytes from the left", () => {
    expect(text(getAddrIpv4("127.1"))).toBe("127.1.0.0");
    expect(text(getAddrIpv4("10"))).toBe("10.0.0.0");
    expect(text(getAddrIpv4("10.8"))).toBe("10.8.0.0");
    expect(text(getAddrIpv4("010.0.0.10"))).toBe("8.0.0.10");
    expect(text(getAddrIpv4("0x0a.0.0.9"))).toBe("10.0.0.9");
  });
  it("refuses a part above 255", () => {
    expect(getAddrIpv4("10.0.0.256")).toBeUndefined();
    expect(getAddrIpv4("a.b")).toBeUndefined();
  });
});

describe("masks and names", () => {
  it("knows contiguous masks and classful lengths", () => {
    expect(maskLength(0xffffff00)).toBe(24);
    expect(maskLength(0xff00ff00)).toBeUndefined();
    expect(classfulLength(inetAton("10.3.0.1")!)).toBe(8);
    expect(classfulLength(inetAton("172.20.0.1")!)).toBe(16);
    expect(classfulLength(inetAton("192.168.3.1")!)).toBe(24);
    expect(classfulLength(inetAton("224.0.0.1")!)).toBeUndefined();
  });
  it("orders interface names as net-tools does", () => {
    expect(["veth10", "lo", "veth2", "ceth0"].sort(nstrcmp)).toEqual(["ceth0", "lo", "veth2", "veth10"]);
  });
});
