// The sysctls the model honours, read and written by key as /proc/sys and
// sysctl(8) name them (net/ipv4/devinet.c: devinet_conf_proc,
// devinet_sysctl_forward; net/bridge/br_netfilter_hooks.c).
import { fail, ok, type KernelResult } from "../../model/errno.js";
import type { DeviceConf, NetDevice } from "../../model/netdevice.js";
import type { NetworkNamespace } from "../../model/netns.js";
import { deviceByName } from "./net-namespace.js";
import { rtGenidBump } from "./rt-genid.js";

type ConfField = keyof DeviceConf;

const CONF_FIELDS: Record<string, ConfField> = {
  forwarding: "forwarding",
  rp_filter: "rpFilter",
  arp_ignore: "arpIgnore",
  route_localnet: "routeLocalnet",
};

function confValue(conf: DeviceConf, field: ConfField): string {
  const value = conf[field];
  return typeof value === "boolean" ? (value ? "1" : "0") : String(value);
}

function setConf(conf: DeviceConf, field: ConfField, value: number): void {
  if (field === "forwarding" || field === "routeLocalnet") conf[field] = value !== 0;
  else conf[field] = value;
}

/** Resolve a key to the conf block it names: all, default, or a device. */
function confTarget(namespace: NetworkNamespace, key: string): { conf: DeviceConf; scope: "all" | "default" | "device"; field: ConfField } | undefined {
  if (key === "net.ipv4.ip_forward") return { conf: namespace.sysctl.confAll, scope: "all", field: "forwarding" };
  const match = /^net\.ipv4\.conf\.([^.]+)\.([a-z_]+)$/.exec(key);
  if (!match) return undefined;
  const field = CONF_FIELDS[match[2]!];
  if (!field) return undefined;
  const name = match[1]!;
  if (name === "all") return { conf: namespace.sysctl.confAll, scope: "all", field };
  if (name === "default") return { conf: namespace.sysctl.confDefault, scope: "default", field };
  const device = deviceByName(namespace, name);
  return device ? { conf: device.conf, scope: "device", field } : undefined;
}

/** Whether the namespace has such a key at all (what `sysctl KEY` would find). */
export function readSysctl(namespace: NetworkNamespace, key: string): string | undefined {
  if (key === "net.ipv4.ip_local_port_range") return (namespace.sysctl.ipLocalPortRange ?? [32768, 60999]).join("\t");
  if (key === "net.ipv4.icmp_echo_ignore_all") return namespace.sysctl.icmpEchoIgnoreAll ? "1" : "0";
  const ipv6 = ipv6DisableTarget(namespace, key);
  if (ipv6) return ipv6.read() ? "1" : "0";
  // accept_redirects is read-only here: devinet_sysctl_forward() sets all.accept_redirects = !forwarding; others start at 1.
  const redirects = /^net\.ipv4\.conf\.([^.]+)\.accept_redirects$/.exec(key);
  if (redirects) {
    const name = redirects[1]!;
    if (name === "all") return namespace.sysctl.confAll.forwarding ? "0" : "1";
    if (name === "default" || deviceByName(namespace, name)) return "1";
    return undefined;
  }
  if (key === "net.bridge.bridge-nf-call-iptables") return namespace.sysctl.bridgeNfCallIptables ? "1" : "0";
  if (key === "net.ipv4.neigh.default.mcast_solicit") return String(namespace.sysctl.neighMcastSolicit);
  if (key === "net.ipv4.neigh.default.retrans_time_ms") return String(namespace.sysctl.neighRetransTimeMs);
  const target = confTarget(namespace, key);
  return target ? confValue(target.conf, target.field) : undefined;
}

/** net.ipv6.conf.{all,default,DEV}.disable_ipv6 (addrconf_disable_ipv6): `all` applies to every device and to default. */
function ipv6DisableTarget(namespace: NetworkNamespace, key: string): { read: () => boolean; write: (on: boolean) => void } | undefined {
  const match = /^net\.ipv6\.conf\.([^.]+)\.disable_ipv6$/.exec(key);
  if (!match) return undefined;
  const name = match[1]!;
  const setDevice = (device: NetDevice, on: boolean) => {
    device.ipv6 = { ...device.ipv6, disabled: on };
  };
  if (name === "all") {
    return {
      read: () => namespace.sysctl.ipv6DisabledAll ?? false,
      write: (on) => {
        namespace.sysctl.ipv6DisabledAll = on;
        namespace.sysctl.ipv6DisabledDefault = on;
        for (const device of namespace.devices.values()) setDevice(device, on);
      },
    };
  }
  if (name === "default") return { read: () => namespace.sysctl.ipv6DisabledDefault ?? false, write: (on) => void (namespace.sysctl.ipv6DisabledDefault = on) };
  const device = deviceByName(namespace, name);
  return device ? { read: () => device.ipv6?.disabled ?? false, write: (on) => setDevice(device, on) } : undefined;
}

export function writeSysctl(namespace: NetworkNamespace, key: string, text: string): KernelResult<unknown> {
  // Forwarding, rp_filter, br_netfilter... decide routes and flows: cached ones go stale.
  rtGenidBump(namespace);
  if (key === "net.ipv4.ip_local_port_range") {
    // ipv4_local_port_range(): two numbers, low <= high, inside 1-65535 (ip_local_port_range_min/max).
    const words = text.trim().split(/\s+/);
    if (words.length !== 2 || !words.every((word) => /^\d+$/.test(word))) return fail("EINVAL");
    const [low, high] = words.map(Number) as [number, number];
    if (low < 1 || high > 65535 || low > high) return fail("EINVAL");
    namespace.sysctl.ipLocalPortRange = [low, high];
    return ok(undefined);
  }
  const value = Number(text.trim());
  if (!/^-?\d+$/.test(text.trim())) return fail("EINVAL");
  if (key === "net.ipv4.icmp_echo_ignore_all") {
    namespace.sysctl.icmpEchoIgnoreAll = value !== 0;
    return ok(undefined);
  }
  const ipv6 = ipv6DisableTarget(namespace, key);
  if (ipv6) {
    ipv6.write(value !== 0);
    return ok(undefined);
  }
  if (key === "net.bridge.bridge-nf-call-iptables") {
    namespace.sysctl.bridgeNfCallIptables = value !== 0;
    return ok(undefined);
  }
  if (key === "net.ipv4.neigh.default.mcast_solicit") {
    namespace.sysctl.neighMcastSolicit = value;
    return ok(undefined);
  }
  if (key === "net.ipv4.neigh.default.retrans_time_ms") {
    namespace.sysctl.neighRetransTimeMs = value;
    return ok(undefined);
  }
  const target = confTarget(namespace, key);
  if (!target) return fail("ENOENT");
  setConf(target.conf, target.field, value);
  if (target.field === "forwarding" && target.scope === "all") {
    // devinet_sysctl_forward(): all.forwarding sets default and every device too.
    setConf(namespace.sysctl.confDefault, "forwarding", value);
    for (const device of namespace.devices.values()) setConf(device.conf, "forwarding", value);
  }
  return ok(undefined);
}
