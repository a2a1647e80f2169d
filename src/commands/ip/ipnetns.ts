// `ip netns` (iproute2 ip/ipnetns.c): named namespaces under /run/netns.
import type { NetworkNamespace } from "../../model/netns.js";
import { ROOT_NAMESPACE_ID } from "../../model/world.js";
import { namespaceByName } from "../../net/core/net-namespace.js";
import { applyOperation } from "../../net/core/rtnetlink.js";
import { CommandError, done, UnsupportedError, type CommandOutcome } from "../command.js";
import { matches } from "./ip-common.js";
import type { IpContext } from "./ip.js";

export function doIpNetns(argv: readonly string[], context: IpContext): CommandOutcome {
  const command = argv[0];
  if (command === undefined || matches(command, "list") || command === "show") return netnsList(context);
  const name = argv[1];
  if (matches(command, "add")) {
    if (name === undefined) throw new CommandError("No netns name specified", 255);
    const result = applyOperation(context.world, { op: "netns-add", name, ...(context.origin ? { origin: context.origin } : {}) });
    if (!result.ok) throw new CommandError(`Cannot create namespace file "/run/netns/${name}": File exists`, 1);
    return done("");
  }
  if (matches(command, "delete")) {
    if (name === undefined) throw new CommandError("No netns name specified", 255);
    const result = applyOperation(context.world, { op: "netns-delete", name, ...(context.origin ? { origin: context.origin } : {}) });
    if (!result.ok) throw new CommandError(`Cannot remove namespace file "/run/netns/${name}": No such file or directory`, 1);
    return done("");
  }
  if (matches(command, "exec")) {
    if (name === undefined) throw new CommandError("No netns name specified", 255);
    const namespace = namespaceByName(context.world, name);
    if (!namespace) throw new CommandError(`Cannot open network namespace "${name}": No such file or directory`, 255);
    const argvInside = argv.slice(2);
    if (argvInside.length === 0) throw new CommandError("No command specified", 255);
    return { kind: "exec", namespace, argv: argvInside };
  }
  if (matches(command, "identify")) return done(`${context.namespace.name}\n`);
  throw new UnsupportedError(command, `"ip netns ${command}" is not modelled`);
}

/** Newest first, as readdir() returns them from the tmpfs; `(id: N)` once the viewer has an nsid for it. */
function netnsList(context: IpContext): CommandOutcome {
  const viewer: NetworkNamespace = context.target;
  const named = [...context.world.namespaces.values()].filter((namespace) => namespace.id !== ROOT_NAMESPACE_ID && namespace.name !== "").sort((a, b) => b.id - a.id);
  if (context.options.json) {
    return done(`${JSON.stringify(named.map((namespace) => { const nsid = viewer.nsids.get(namespace.id); return nsid === undefined ? { name: namespace.name } : { name: namespace.name, id: nsid }; }))}\n`);
  }
  return done(named.map((namespace) => { const nsid = viewer.nsids.get(namespace.id); return nsid === undefined ? `${namespace.name}\n` : `${namespace.name} (id: ${nsid})\n`; }).join(""));
}
