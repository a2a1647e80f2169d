// The pure parts of the kernel backend: wrapper records to CommandRecords,
// expectations against records, nc's outcome. No root needed.
import { describe, expect, it } from "vitest";
import { matchExpectations } from "../../../src/scenario/expectation-matching.js";
import { ipNetnsOption, orderRecords, parseStack, toCommandRecord, type RawRecord } from "../../../src/backends/kernel/records.js";
import { classifyNc } from "../../../src/scenario/probe-outcome.js";
import type { CommandRecord } from "../../../src/scenario/result.js";

const raw = (overrides: Partial<RawRecord>): RawRecord => ({
  id: "1000-1",
  argv: ["ip", "link"],
  stack: "3 /s/main.sh\n",
  namespace: "",
  kind: "leaf",
  stdout: "",
  stderr: "",
  exitCode: 0,
  endedAt: 2000n,
  hasChildren: false,
  ...overrides,
});

describe("parseStack", () => {
  it("reads the tracer's frames, innermost first, with paths normalised", () => {
    expect(parseStack("4 /s/./prelude.sh\n2 /s/main.sh\n")).toEqual([
      { file: "/s/prelude.sh", line: 4 },
      { file: "/s/main.sh", line: 2 },
    ]);
  });
});

describe("ipNetnsOption", () => {
  it.each([
    [["ip", "-n", "ns0", "addr"], "ns0"],
    [["ip", "-j", "-netns", "ns1", "link"], "ns1"],
    [["ip", "--netns", "ns2", "route"], "ns2"],
    [["ip", "-f", "inet", "-n", "ns3", "route"], "ns3"],
    [["ip", "netns", "exec", "ns0", "ip", "-n", "x"], undefined],
    [["ip", "addr"], undefined],
  ])("%j -> %s", (argv, namespace) => {
    expect(ipNetnsOption(argv)).toBe(namespace);
  });
});

describe("orderRecords", () => {
  it("orders by end; a command still running at the end comes last", () => {
    const listener = raw({ id: "1000-9", kind: "nc-listen", exitCode: undefined, endedAt: undefined });
    const first = raw({ id: "1100-2", endedAt: 1200n });
    const second = raw({ id: "1300-3", endedAt: 1400n });
    expect(orderRecords([second, listener, first]).map((record) => record.id)).toEqual(["1100-2", "1300-3", "1000-9"]);
  });
});

describe("toCommandRecord", () => {
  it("gives way to the command inside when it wrapped one", () => {
    expect(toCommandRecord(raw({ kind: "outer", hasChildren: true }))).toBeUndefined();
  });

  it("keeps an outer command that ran no networking command", () => {
    expect(toCommandRecord(raw({ kind: "outer", argv: ["ip", "netns", "exec", "nosuch", "ping"], exitCode: 255 }))?.exitCode).toBe(255);
  });

  it("takes the namespace from ip -n", () => {
    expect(toCommandRecord(raw({ argv: ["ip", "-n", "ns0", "link"] }))?.namespace).toBe("ns0");
  });

  it("splits the stack into location and callers", () => {
    const record = toCommandRecord(raw({ stack: "2 /s/prelude.sh\n6 /s/prelude.sh\n1 /s/main.sh\n" }));
    expect(record?.location).toEqual({ file: "/s/prelude.sh", line: 2 });
    expect(record?.callers).toEqual([
      { file: "/s/prelude.sh", line: 6 },
      { file: "/s/main.sh", line: 1 },
    ]);
  });

  it("classifies nc from the -v text the wrapper captured, not the user-visible stderr", () => {
    const record = toCommandRecord(
      raw({ kind: "nc-connect-tcp", argv: ["nc", "-z", "10.0.0.2", "9"], exitCode: 1, verboseStderr: "nc: connect to 10.0.0.2 port 9 (tcp) failed: Connection refused\n" }),
    );
    expect(record?.stderr).toBe("");
    expect(record?.probe).toEqual({ tool: "nc", outcome: "refused" });
  });

  it("counts a listener still listening at the end as a success, without a probe", () => {
    const record = toCommandRecord(raw({ kind: "nc-listen", exitCode: undefined, endedAt: undefined }));
    expect(record?.exitCode).toBe(0);
    expect(record?.probe).toBeUndefined();
  });
});

describe("classifyNc", () => {
  it.each([
    [0, "Connection to 10.0.0.2 1234 port [tcp/*] succeeded!\n", "tcp", "connected"],
    [1, "nc: connect to 10.0.0.2 port 9 (tcp) failed: Connection refused\n", "tcp", "refused"],
    [1, "nc: connect to 10.0.0.2 port 1234 (tcp) timed out: Operation now in progress\n", "tcp", "timeout"],
    [1, "nc: connect to 10.9.0.1 port 1234 (tcp) failed: Network is unreachable\n", "tcp", "unreachable"],
    [1, "nc: connect to 10.0.0.1 port 1236 (tcp) failed: No route to host\n", "tcp", "unreachable"],
    [124, "", "tcp", "timeout"],
    [0, "", "udp", "connected"],
    [1, "", "udp", "refused"],
  ] as const)("exit %i %j (%s) -> %s", (exitCode, text, protocol, outcome) => {
    expect(classifyNc(exitCode, text, protocol).outcome).toBe(outcome);
  });
});

describe("matchExpectations", () => {
  const at = (line: number, overrides: Partial<CommandRecord> = {}): CommandRecord => ({
    location: { file: "/s/main.sh", line },
    callers: [],
    namespace: "",
    argv: ["ip"],
    exitCode: 0,
    stdout: "",
    stderr: "",
    ...overrides,
  });
  const expectations = (entries: [number, string][]) => [
    {
      file: "/s/main.sh",
      expectations: new Map(entries.map(([line, expected]) => [line, { line, expected: expected as never, comment: "" }])),
    },
  ];

  it("takes the last probe on the line, through callers too", () => {
    const records = [
      at(3, { callers: [{ file: "/s/main.sh", line: 7 }], probe: { tool: "ping", outcome: "reply" } }),
      at(3, { callers: [{ file: "/s/main.sh", line: 7 }], exitCode: 1, probe: { tool: "ping", outcome: "no-reply" } }),
    ];
    expect(matchExpectations(expectations([[7, "no-reply"]]), records)[0]).toMatchObject({ actual: "no-reply", ok: true });
  });

  it("says error when any command on the line failed, ok otherwise, missing when none ran", () => {
    const records = [at(2), at(2, { exitCode: 2 }), at(3)];
    expect(matchExpectations(expectations([[2, "ok"], [3, "ok"], [4, "error"]]), records).map((result) => [result.actual, result.ok])).toEqual([
      ["error", false],
      ["ok", true],
      ["missing", false],
    ]);
  });
});
