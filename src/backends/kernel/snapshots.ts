// Reading the state snapshots snapshot.bash wrote: one directory per probe
// (named by the probe's record id) and one named "end", each holding
// <index>.namespace / .link / .addr / .route / .neigh / .iptables / .conntrack
// and .nft (none where nft is not installed).
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { CommandRecord, NamespaceState, StateSnapshot } from "../../scenario/result.js";
import { stripIptablesCounters } from "./normalise.js";

function readNamespaces(directory: string): NamespaceState[] {
  const indexes = readdirSync(directory)
    .filter((name) => name.endsWith(".namespace"))
    .map((name) => Number(name.slice(0, -".namespace".length)))
    .sort((left, right) => left - right);
  return indexes.map((index) => {
    const text = (suffix: string) => {
      const path = join(directory, `${index}.${suffix}`);
      return existsSync(path) ? readFileSync(path, "utf8") : "";
    };
    return {
      namespace: text("namespace"),
      link: text("link"),
      addr: text("addr"),
      route: text("route"),
      neigh: text("neigh"),
      iptablesSave: stripIptablesCounters(text("iptables")),
      ip6tablesSave: stripIptablesCounters(text("ip6tables")),
      conntrack: text("conntrack"),
      nftRuleset: text("nft"),
      ...unavailableParts(directory, index),
    };
  });
}

/** The parts whose tool the machine lacks (no file written for them). */
function unavailableParts(directory: string, index: number): { unavailable?: Partial<Record<"nftRuleset" | "ip6tablesSave", string>> } {
  const unavailable: Partial<Record<"nftRuleset" | "ip6tablesSave", string>> = {};
  if (!existsSync(join(directory, `${index}.nft`))) unavailable.nftRuleset = "nft is not installed (Debian package nftables)";
  if (!existsSync(join(directory, `${index}.ip6tables`))) unavailable.ip6tablesSave = "ip6tables-save is not installed (Debian package iptables)";
  return Object.keys(unavailable).length > 0 ? { unavailable } : {};
}

/** The complete snapshots in the order of the probes they follow, the final one last. */
export function readSnapshots(
  snapshotsDirectory: string,
  ordered: readonly { readonly record: CommandRecord; readonly id: string }[],
): StateSnapshot[] {
  const complete = (name: string) => existsSync(join(snapshotsDirectory, name, "complete"));
  const afterProbes = ordered.flatMap(({ record, id }, commandIndex) =>
    complete(id)
      ? [{ after: { commandIndex, location: record.location }, namespaces: readNamespaces(join(snapshotsDirectory, id)) }]
      : [],
  );
  const final = complete("end") ? [{ namespaces: readNamespaces(join(snapshotsDirectory, "end")) }] : [];
  return [...afterProbes, ...final];
}
