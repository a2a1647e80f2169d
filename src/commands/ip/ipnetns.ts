// `ip netns` (iproute2 ip/ipnetns.c): named namespaces under /run/netns.
import type { NetworkNamespace } from "../../model/netns.js";
import { ROOT_NAMESPACE_ID } from "../../model/world.js";
import { applyOperation, namespaceByName } from "../../net/index.js";
import { CommandError, done, UnsupportedError, type CommandOutcome } from "../command.js";
import { checkKernel, invalidArgument, matches } from "./ip-common.js";
import type { IpContext } from "./ip.js";

/** For the check before the run: CMD of `ip netns exec NS CMD...`, read as doIpNetns reads it (undefined for any other subcommand). */
export function netnsExecCommand(argv: readonly string[]): readonly string[] | undefined {
  const [command, name] = argv;
  if (command === undefined || name === undefined || matches(command, "list") || command === "show" || matches(command, "add") || matches(command, "delete")) return undefined;
  if (!matches(command, "exec") || argv.length < 3) return undefined;
  return argv.slice(2);
}

export function doIpNetns(argv: readonly string[], context: IpContext): CommandOutcome {
  const command = argv[0];
  if (command === undefined || matches(command, "list") || command === "show") return netnsList(context);
  const name = argv[1];
  // do_netns(): a name that cannot be a file under /run/netns is refused for every subcommand.
  if (name !== undefined && (name === "." || name === ".." || name.includes("/"))) throw new CommandError(`Invalid netns name "${name}"`, 255);
  if (matches(command, "add")) {
    if (name === undefined) throw new CommandError("No netns name specified", 255);
    const result = applyOperation(context.world, { op: "netns-add", name, ...(context.origin ? { origin: context.origin } : {}) });
    if (!result.ok) throw new CommandError(`Cannot create namespace file "/run/netns/${name}": File exists`, 1);
    return done("");
  }
  if (matches(command, "delete") && context.options.all) return netnsDeleteAll(context);
  if (matches(command, "delete")) {
    if (name === undefined) throw new CommandError("No netns name specified", 255);
    const result = applyOperation(context.world, { op: "netns-delete", name, ...(context.origin ? { origin: context.origin } : {}) });
    if (!result.ok) throw new CommandError(`Cannot remove namespace file "/run/netns/${name}": No such file or directory`, 1);
    return done("");
  }
  if (matches(command, "exec") && context.options.all) return netnsExecAll(argv.slice(1), context);
  if (matches(command, "exec")) {
    if (name === undefined) throw new CommandError("No netns name specified", 255);
    const namespace = namespaceByName(context.world, name);
    if (!namespace) throw new CommandError(`Cannot open network namespace "${name}": No such file or directory`, 255);
    const argvInside = argv.slice(2);
    if (argvInside.length === 0) throw new CommandError("No command specified", 255);
    return { kind: "exec", namespace, argv: argvInside };
  }
  if (matches(command, "identify")) return done(`${context.namespace.name}\n`);
  // No processes live in a simulated namespace.
  if (matches(command, "pids")) {
    if (name === undefined) throw new CommandError("No netns name specified", 255);
    if (!namespaceByName(context.world, name)) throw new CommandError(`Cannot open network namespace "${name}": No such file or directory`, 255);
    return done("");
  }
  if (command === "list-id") return netnsListId(context);
  if (command === "set") return netnsSet(argv.slice(1), context);
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

/** `ip netns list-id`: the nsids the viewer holds, lowest first, with the name iproute2 finds under /run/netns. */
function netnsListId(context: IpContext): CommandOutcome {
  if (context.options.json) throw new UnsupportedError("list-id", "ip -j netns list-id is not modelled");
  const viewer = context.target;
  const entries = [...viewer.nsids.entries()].sort((a, b) => a[1] - b[1]);
  return done(
    entries
      .map(([namespaceId, nsid]) => {
        const name = context.world.namespaces.get(namespaceId)?.name ?? "";
        return name === "" ? `nsid ${nsid} \n` : `nsid ${nsid} (iproute2 netns name: ${name})\n`;
      })
      .join(""),
  );
}

/** `ip netns set NAME ID` (RTM_NEWNSID): give a namespace an id in the viewer, once. */
function netnsSet(argv: readonly string[], context: IpContext): CommandOutcome {
  const [name, idText] = argv;
  if (name === undefined || idText === undefined) throw new CommandError("No netns name specified", 255);
  const namespace = namespaceByName(context.world, name);
  if (!namespace) throw new CommandError(`Cannot open network namespace "${name}": No such file or directory`, 255);
  if (idText === "auto") throw new UnsupportedError(idText, "ip netns set NAME auto is not modelled");
  if (!/^\d+$/.test(idText) || Number(idText) > 2147483647) invalidArgument('Invalid "netnsid" value', idText);
  checkKernel(applyOperation(context.world, { op: "netns-set-id", viewerId: context.target.id, targetId: namespace.id, nsid: Number(idText), ...(context.origin ? { origin: context.origin } : {}) }));
  return done("");
}

function shellWord(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, "'\\''")}'`;
}

/**
 * `ip -all netns exec CMD` (netns_foreach): CMD in every named namespace, in
 * `ip netns` order, each preceded by "\nnetns: NAME\n". Run as one shell
 * script of `ip netns exec NAME CMD` lines, so each command is an ordinary
 * nested one.
 */
/** `ip -all netns delete` (netns_foreach(on_netns_del)): every named namespace, silently, exit 0 even with none; a name after it is ignored. */
function netnsDeleteAll(context: IpContext): CommandOutcome {
  const named = [...context.world.namespaces.values()].filter((namespace) => namespace.id !== ROOT_NAMESPACE_ID && namespace.name !== "").sort((a, b) => b.id - a.id);
  for (const namespace of named) checkKernel(applyOperation(context.world, { op: "netns-delete", name: namespace.name, ...(context.origin ? { origin: context.origin } : {}) }));
  return done("");
}

function netnsExecAll(argvInside: readonly string[], context: IpContext): CommandOutcome {
  if (argvInside.length === 0) throw new CommandError("No command specified", 255);
  const named = [...context.world.namespaces.values()].filter((namespace) => namespace.id !== ROOT_NAMESPACE_ID && namespace.name !== "").sort((a, b) => b.id - a.id);
  const command = argvInside.map(shellWord).join(" ");
  const script = named.map((namespace) => `printf '\\nnetns: %s\\n' ${shellWord(namespace.name)}; ip netns exec ${shellWord(namespace.name)} ${command}`).join("\n");
  // ip exits 0 whatever the commands returned.
  return { kind: "exec", namespace: context.namespace, argv: ["bash", "-c", `${script}\n:`] };
}
