// netsim carries IPv4 packets only: a probe to or from an IPv6 address is
// refused by name (src/commands/command.ts: refuseIpv6Address), never
// answered as a failed name lookup or a silent no-reply; IPv4 probes and
// host names go on as before.
import { describe, expect, it } from "vitest";
import { checkCurl } from "../../src/commands/curl.js";
import { UnsupportedError } from "../../src/commands/command.js";
import { checkNc } from "../../src/commands/nc.js";
import { checkPing } from "../../src/commands/ping.js";
import { checkSocat } from "../../src/commands/socat.js";
import { checkWget } from "../../src/commands/wget.js";

describe("probes to IPv6 addresses", () => {
  const refused: [string, (argv: readonly string[]) => undefined, string, string][] = [
    ["ping", checkPing, "-c 1 fd00::1", "fd00::1"],
    ["ping", checkPing, "-c 1 -I 2001:db8::1 10.0.0.1", "2001:db8::1"],
    ["nc", checkNc, "-z -w 1 2001:db8:1::2 80", "2001:db8:1::2"],
    ["nc", checkNc, "-l ::1 80", "::1"],
    ["curl", checkCurl, "-s http://[fd00::1]:8080/", "[fd00::1]"],
    ["wget", checkWget, "-q http://[::ffff:1.2.3.4]/", "[::ffff:1.2.3.4]"],
    ["socat", checkSocat, "- TCP:[fd00::2]:80", "[fd00::2]"],
  ];
  for (const [tool, check, line, word] of refused) {
    it(`refuses ${tool} ${line} by name`, () => {
      let error: unknown;
      try {
        check(line.split(" "));
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(UnsupportedError);
      expect((error as UnsupportedError).word).toBe(word);
      expect((error as UnsupportedError).message).toMatch(/IPv6 address is not modelled \(netsim carries IPv4 packets only\)/);
    });
  }

  it("lets IPv4 probes through", () => {
    expect(checkPing(["-c", "1", "10.0.0.1"])).toBeUndefined();
    expect(checkNc(["-z", "-w", "1", "10.0.0.1", "80"])).toBeUndefined();
    expect(checkCurl(["-s", "-m", "1", "http://10.0.0.1:8080/"])).toBeUndefined();
  });
});
