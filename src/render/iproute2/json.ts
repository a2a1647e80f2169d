// iproute2's JSON output (lib/json_writer.c): compact for -j, and the
// writer's own pretty layout for -j -p (4-space indent, arrays inline).

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/**
 * jsonw_pretty(): "[ " and " ]" around arrays whose items are separated by a
 * bare ","; each object key on its own line, indented 4 spaces per level;
 * "}" back at the enclosing level.
 */
export function prettyJson(value: unknown, depth = 0): string {
  const json = value as Json;
  if (Array.isArray(json)) {
    if (json.length === 0) return "[ ]";
    return `[ ${json.map((item) => prettyJson(item, depth + 1)).join(",")} ]`;
  }
  if (json !== null && typeof json === "object") {
    const entries = Object.entries(json);
    if (entries.length === 0) return "{}";
    const indent = " ".repeat((depth + 1) * 4);
    return `{${entries.map(([key, item]) => `\n${indent}${JSON.stringify(key)}: ${prettyJson(item, depth + 1)}`).join(",")}\n${" ".repeat(depth * 4)}}`;
  }
  return JSON.stringify(json);
}
