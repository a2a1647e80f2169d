import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { prettyJson } from "../../../src/render/iproute2/json.js";

describe("prettyJson (lib/json_writer.c, pretty)", () => {
  it("lays out nested objects and inline arrays as iproute2 does", () => {
    expect(prettyJson([{ a: 1, b: ["x", "y"], c: { d: true } }])).toBe('[ {\n        "a": 1,\n        "b": [ "x","y" ],\n        "c": {\n            "d": true\n        }\n    } ]');
    expect(prettyJson([])).toBe("[ ]");
  });

  it("is the same JSON as the compact form", () => {
    const value = fc.array(fc.dictionary(fc.string({ maxLength: 5 }), fc.oneof(fc.integer(), fc.string({ maxLength: 5 }), fc.array(fc.string({ maxLength: 3 }), { maxLength: 3 }))), { maxLength: 3 });
    fc.assert(fc.property(value, (data) => JSON.stringify(JSON.parse(prettyJson(data))) === JSON.stringify(data)));
  });
});
