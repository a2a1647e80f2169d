// The bridge forwarding database (net/bridge/br_fdb.c).
import type { FdbEntry } from "../../model/bridge.js";
import type { MacAddress } from "../../model/mac.js";
import type { NetDevice } from "../../model/netdevice.js";

/** br_fdb_find(): a live entry, aged entries being as good as gone. */
export function brFdbFind(bridge: NetDevice, mac: MacAddress, now: number): FdbEntry | undefined {
  const entry = bridge.bridge!.fdb.get(mac);
  if (!entry) return undefined;
  if (!entry.local && now - entry.updatedAt > bridge.bridge!.ageingTime * 10_000) return undefined;
  return entry;
}

/** br_fdb_update(): learn (or refresh) where a source address lives. Local entries never move. */
export function brFdbUpdate(bridge: NetDevice, mac: MacAddress, port: NetDevice, now: number): "learned" | "refreshed" | "local" {
  const fdb = bridge.bridge!.fdb;
  const existing = fdb.get(mac);
  if (existing?.local) return "local";
  if (existing !== undefined && existing.portIndex === port.index) {
    // Refreshed where it was: the same entry, seen now (no new record per frame).
    existing.updatedAt = now;
    return "refreshed";
  }
  fdb.set(mac, { mac, portIndex: port.index, local: false, updatedAt: now });
  return "learned";
}

/** br_fdb_add_local(): a port's (or the bridge's) own address, delivered up instead of forwarded. */
export function brFdbAddLocal(bridge: NetDevice, mac: MacAddress, portIndex: number): void {
  bridge.bridge!.fdb.set(mac, { mac, portIndex, local: true, updatedAt: 0 });
}

/** Forget everything learned on, or owned by, a port (br_fdb_delete_by_port). */
export function brFdbDeleteByPort(bridge: NetDevice, portIndex: number, includeLocal: boolean): void {
  for (const [mac, entry] of bridge.bridge!.fdb) {
    if (entry.portIndex === portIndex && (includeLocal || !entry.local)) bridge.bridge!.fdb.delete(mac);
  }
}
