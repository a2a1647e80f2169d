// `netsim run --json` (src/render/run-json.ts) against its schema,
// docs/run-json.schema.json: every scenario's output validates, addresses
// are dotted, devices and namespaces named, and two runs give the same bytes.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import { describe, expect, it } from "vitest";
import { PROBE_OUTCOMES } from "../../src/scenario/result.js";
import { REPOSITORY, runNetsim } from "../support/netsim-cli.js";
import { scenarioFiles } from "../support/scenario-files.js";

const schema = JSON.parse(readFileSync(join(REPOSITORY, "docs", "run-json.schema.json"), "utf8")) as { $defs: { command: { properties: { probe: { properties: { outcome: { enum: string[] } } } } } } };

/** Every [path, value] pair under `value`. */
function* leaves(value: unknown, path = ""): Generator<[string, unknown]> {
  if (Array.isArray(value)) for (const [index, item] of value.entries()) yield* leaves(item, `${path}[${index}]`);
  else if (value !== null && typeof value === "object") for (const [key, item] of Object.entries(value)) yield* leaves(item, `${path}.${key}`);
  else yield [path, value];
}

describe("netsim run --json", () => {
  const files = scenarioFiles().map((file) => file.slice(REPOSITORY.length + 1));
  const first = runNetsim(["run", "--json", ...files]);
  const output = JSON.parse(first.stdout) as { version: number; scenarios: unknown[] };

  it("validates against docs/run-json.schema.json, with a version", () => {
    const validate = new Ajv2020({ allErrors: true, strict: false }).compile(schema);
    const valid = validate(output);
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
    expect(output.version).toBe(1);
    expect(output.scenarios).toHaveLength(files.length);
    expect(schema.$defs.command.properties.probe.properties.outcome.enum).toEqual([...PROBE_OUTCOMES]);
  });

  it("gives addresses as dotted strings, devices and namespaces by name, the root namespace as (root)", () => {
    const all = [...leaves(output)];
    const addressKeys = /\.(source|destination|address|gateway|senderAddress|targetAddress|preferredSource|nexthop)$/;
    const addresses = all.filter(([path]) => addressKeys.test(path) && !path.includes(".transport."));
    expect(addresses.length).toBeGreaterThan(100);
    for (const [path, value] of addresses) expect(value, path).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    expect(all.filter(([path]) => /deviceIndex|namespaceId/.test(path))).toEqual([]);
    for (const [path, value] of all.filter(([path]) => path.endsWith(".namespace"))) expect(value, path).not.toBe("");
    expect(all.some(([path, value]) => path.endsWith(".namespace") && value === "(root)")).toBe(true);
    expect(all.some(([path, value]) => path.endsWith(".prefix") && value === "172.18.0.0/16")).toBe(true);
  });

  it("is byte-identical run to run", () => {
    expect(runNetsim(["run", "--json", ...files]).stdout).toBe(first.stdout);
  });
});
