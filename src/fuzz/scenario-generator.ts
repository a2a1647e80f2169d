// Random scenarios for differential fuzzing (simulator against kernel): a few
// namespaces joined by veth pairs and bridges, addresses from a small pool
// (so subnets overlap), static and default routes, links going down and up,
// ip_forward, and ping probes in every direction; iptables filter and NAT
// rules, nft tables beside them (filter chains at two priorities on one
// hook, so an accept in one is not final; nat chains beside iptables' own)
// and nc probes join in once the simulator models those tools. A scenario is
// plain data (so fast-check shrinks it) printed as bash.
import fc from "fast-check";

/** What the generator may use: the simulator's tools decide. */
export interface FuzzFeatures {
  readonly iptables: boolean;
  readonly nc: boolean;
  /** `bridge link set` (hairpin): both backends must run it. */
  readonly bridge?: boolean;
  readonly nft?: boolean;
}

export interface FuzzAddress {
  /** 10.0.NET.HOST */
  readonly net: number;
  readonly host: number;
  readonly prefixLength: 16 | 24;
}

export interface FuzzVeth {
  readonly sideA: number;
  readonly sideB: number;
}

export interface FuzzBridge {
  readonly namespace: number;
  /** Veth ends (2·k for va{k}, 2·k+1 for vb{k}) to enslave, when they stand in the bridge's namespace. */
  readonly ports: readonly number[];
}

export type FuzzStep =
  | { readonly kind: "addr"; readonly device: number; readonly address: FuzzAddress }
  | { readonly kind: "route"; readonly namespace: number; readonly destination: "default" | number; readonly via: { readonly gateway: FuzzAddress } | { readonly device: number } }
  | { readonly kind: "link"; readonly device: number; readonly up: boolean }
  | { readonly kind: "forward"; readonly namespace: number; readonly on: boolean }
  | { readonly kind: "ping"; readonly namespace: number; readonly target: FuzzAddress }
  | { readonly kind: "policy"; readonly namespace: number; readonly chain: "INPUT" | "FORWARD" | "OUTPUT"; readonly target: "ACCEPT" | "DROP" }
  | { readonly kind: "filter"; readonly namespace: number; readonly chain: "INPUT" | "FORWARD" | "OUTPUT"; readonly protocol: "icmp" | "tcp" | "all"; readonly source?: FuzzAddress; readonly target: "ACCEPT" | "DROP" | "REJECT" }
  | { readonly kind: "masquerade"; readonly namespace: number; readonly source: FuzzAddress; readonly outDevice: number }
  | { readonly kind: "snat"; readonly namespace: number; readonly outDevice: number; readonly toSource: FuzzAddress }
  | { readonly kind: "dnat"; readonly namespace: number; readonly destination: FuzzAddress; readonly toDestination: FuzzAddress }
  | { readonly kind: "nc"; readonly namespace: number; readonly target: FuzzAddress; readonly port: number }
  /** br_netfilter on or off in a namespace (net.bridge.bridge-nf-call-iptables). */
  | { readonly kind: "brnf"; readonly namespace: number; readonly on: boolean }
  /** Docker's hairpin MASQUERADE: a container talking to itself through a DNAT goes out masqueraded. */
  | { readonly kind: "masquerade-self"; readonly namespace: number; readonly address: FuzzAddress }
  /** A bridge port's hairpin mode (the device need not be a port: then the kernel refuses). */
  | { readonly kind: "hairpin"; readonly device: number; readonly on: boolean }
  /** A rule in an nft filter chain of table fz<priority> (made as needed); two priorities share each hook. */
  | { readonly kind: "nft-rule"; readonly namespace: number; readonly hook: NftFilterHook; readonly priority: NftPriority; readonly protocol: "icmp" | "tcp" | "all"; readonly source?: FuzzAddress; readonly verdict: "accept" | "drop" | "reject" }
  | { readonly kind: "nft-policy"; readonly namespace: number; readonly hook: NftFilterHook; readonly priority: NftPriority; readonly policy: "accept" | "drop" }
  /** nft's NAT (table fznat), at priorities next to iptables' nat chains. */
  | { readonly kind: "nft-masquerade"; readonly namespace: number; readonly source: FuzzAddress; readonly outDevice: number }
  | { readonly kind: "nft-dnat"; readonly namespace: number; readonly destination: FuzzAddress; readonly toDestination: FuzzAddress }
  /** `nft list ruleset`: the listing, iptables-nft's tables included, compared as printed. */
  | { readonly kind: "nft-list"; readonly namespace: number };

export type NftFilterHook = "input" | "forward" | "output";
export type NftPriority = 0 | 10;

export interface FuzzScenario {
  readonly namespaces: number;
  readonly loopbackUp: readonly boolean[];
  readonly veths: readonly FuzzVeth[];
  readonly bridges: readonly FuzzBridge[];
  /** Listeners started at the beginning: `nc -lk PORT &` in a namespace. */
  readonly listeners: readonly { readonly namespace: number; readonly port: number }[];
  readonly steps: readonly FuzzStep[];
}

export const LISTENER_PORTS = [80, 8080] as const;
const MAX_NAMESPACES = 3;
const MAX_VETHS = 3;

const namespaceName = (index: number) => `n${index}`;

/** Devices in order: va0 vb0 va1 vb1 ... then br0 br1 ... with the namespace each stands in. */
export function scenarioDevices(scenario: FuzzScenario): { name: string; namespace: number }[] {
  const veths = scenario.veths.flatMap((veth, index) => [
    { name: `va${index}`, namespace: veth.sideA % scenario.namespaces },
    { name: `vb${index}`, namespace: veth.sideB % scenario.namespaces },
  ]);
  const bridges = scenario.bridges.map((bridge, index) => ({ name: `br${index}`, namespace: bridge.namespace % scenario.namespaces }));
  return [...veths, ...bridges];
}

const addressArbitrary: fc.Arbitrary<FuzzAddress> = fc.record({
  net: fc.integer({ min: 0, max: 2 }),
  host: fc.integer({ min: 1, max: 4 }),
  prefixLength: fc.constantFrom<16 | 24>(24, 16),
});

const addressText = (address: FuzzAddress) => `10.0.${address.net}.${address.host}`;
const prefixText = (address: FuzzAddress) => `${addressText(address)}/${address.prefixLength}`;
const networkText = (address: FuzzAddress) => (address.prefixLength === 16 ? "10.0.0.0/16" : `10.0.${address.net}.0/24`);

function stepArbitrary(features: FuzzFeatures): fc.Arbitrary<FuzzStep> {
  const namespace = fc.nat(MAX_NAMESPACES - 1);
  const device = fc.nat(2 * MAX_VETHS + 1);
  const chain = fc.constantFrom<"INPUT" | "FORWARD" | "OUTPUT">("INPUT", "FORWARD", "OUTPUT");
  const steps: fc.WeightedArbitrary<FuzzStep>[] = [
    { weight: 4, arbitrary: fc.record({ kind: fc.constant("addr" as const), device, address: addressArbitrary }) },
    {
      weight: 2,
      arbitrary: fc.record({
        kind: fc.constant("route" as const),
        namespace,
        destination: fc.oneof(fc.constant("default" as const), fc.integer({ min: 0, max: 2 })),
        via: fc.oneof(fc.record({ gateway: addressArbitrary }), fc.record({ device })),
      }),
    },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant("link" as const), device, up: fc.boolean() }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant("forward" as const), namespace, on: fc.boolean() }) },
    { weight: 4, arbitrary: fc.record({ kind: fc.constant("ping" as const), namespace, target: addressArbitrary }) },
  ];
  if (features.iptables) {
    steps.push(
      { weight: 1, arbitrary: fc.record({ kind: fc.constant("policy" as const), namespace, chain, target: fc.constantFrom<"ACCEPT" | "DROP">("ACCEPT", "DROP") }) },
      {
        weight: 1,
        arbitrary: fc.record(
          {
            kind: fc.constant("filter" as const),
            namespace,
            chain,
            protocol: fc.constantFrom<"icmp" | "tcp" | "all">("icmp", "tcp", "all"),
            source: addressArbitrary,
            target: fc.constantFrom<"ACCEPT" | "DROP" | "REJECT">("ACCEPT", "DROP", "REJECT"),
          },
          { requiredKeys: ["kind", "namespace", "chain", "protocol", "target"] },
        ),
      },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant("masquerade" as const), namespace, source: addressArbitrary, outDevice: device }) },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant("snat" as const), namespace, outDevice: device, toSource: addressArbitrary }) },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant("dnat" as const), namespace, destination: addressArbitrary, toDestination: addressArbitrary }) },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant("brnf" as const), namespace, on: fc.boolean() }) },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant("masquerade-self" as const), namespace, address: addressArbitrary }) },
    );
  }
  if (features.nft) {
    const hook = fc.constantFrom<NftFilterHook>("input", "forward", "output");
    const priority = fc.constantFrom<NftPriority>(0, 10);
    steps.push(
      {
        weight: 2,
        arbitrary: fc.record(
          {
            kind: fc.constant("nft-rule" as const),
            namespace,
            hook,
            priority,
            protocol: fc.constantFrom<"icmp" | "tcp" | "all">("icmp", "tcp", "all"),
            source: addressArbitrary,
            verdict: fc.constantFrom<"accept" | "drop" | "reject">("accept", "drop", "reject"),
          },
          { requiredKeys: ["kind", "namespace", "hook", "priority", "protocol", "verdict"] },
        ),
      },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant("nft-policy" as const), namespace, hook, priority, policy: fc.constantFrom<"accept" | "drop">("accept", "drop") }) },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant("nft-masquerade" as const), namespace, source: addressArbitrary, outDevice: device }) },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant("nft-dnat" as const), namespace, destination: addressArbitrary, toDestination: addressArbitrary }) },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant("nft-list" as const), namespace }) },
    );
  }
  if (features.bridge) steps.push({ weight: 1, arbitrary: fc.record({ kind: fc.constant("hairpin" as const), device, on: fc.boolean() }) });
  if (features.nc) {
    steps.push({ weight: 2, arbitrary: fc.record({ kind: fc.constant("nc" as const), namespace, target: addressArbitrary, port: fc.constantFrom(...LISTENER_PORTS) }) });
  }
  return fc.oneof(...steps);
}

/** Random scenarios using what `features` allows. */
export function fuzzScenarioArbitrary(features: FuzzFeatures): fc.Arbitrary<FuzzScenario> {
  return fc
    .record({
      namespaces: fc.integer({ min: 2, max: MAX_NAMESPACES }),
      loopbackUp: fc.array(fc.boolean(), { minLength: MAX_NAMESPACES, maxLength: MAX_NAMESPACES }),
      veths: fc.array(fc.record({ sideA: fc.nat(MAX_NAMESPACES - 1), sideB: fc.nat(MAX_NAMESPACES - 1) }), { minLength: 1, maxLength: MAX_VETHS }),
      // Up to two bridges (a host with two networks; a bridge whose port leads to the other's namespace).
      bridges: fc.array(fc.record({ namespace: fc.nat(MAX_NAMESPACES - 1), ports: fc.uniqueArray(fc.nat(2 * MAX_VETHS - 1), { maxLength: 3 }) }), { maxLength: 2 }),
      listeners: features.nc
        ? fc.array(fc.record({ namespace: fc.nat(MAX_NAMESPACES - 1), port: fc.constantFrom(...LISTENER_PORTS) }), { maxLength: 2 })
        : fc.constant([]),
      steps: fc.array(stepArbitrary(features), { minLength: 1, maxLength: 14 }),
    })
    // Scenarios without a probe compare only the final state: keep at least one.
    .filter((scenario) => scenario.steps.some((step) => step.kind === "ping" || step.kind === "nc"));
}

/** The scenario as a bash file both backends run. */
export function renderScenario(scenario: FuzzScenario): string {
  const lines: string[] = ["# Generated by netsim's differential fuzzer (src/fuzz)."];
  const devices = scenarioDevices(scenario);
  const deviceAt = (index: number) => devices[index % devices.length]!;
  const inNamespace = (namespace: number) => `ip netns exec ${namespaceName(namespace % scenario.namespaces)}`;
  const ipIn = (namespace: number) => `ip -n ${namespaceName(namespace % scenario.namespaces)}`;
  for (let index = 0; index < scenario.namespaces; index++) {
    lines.push(`ip netns add ${namespaceName(index)}`);
    if (scenario.loopbackUp[index]) lines.push(`${ipIn(index)} link set lo up`);
  }
  scenario.veths.forEach((veth, index) => {
    lines.push(
      `ip link add va${index} netns ${namespaceName(veth.sideA % scenario.namespaces)} type veth peer name vb${index} netns ${namespaceName(veth.sideB % scenario.namespaces)}`,
    );
  });
  // A port that would close a loop of bridges and veth pairs is left out: without STP the kernel floods round it for ever, which netsim refuses.
  const masterOf = new Map<string, number>();
  scenario.bridges.forEach((bridge, index) => {
    const namespace = bridge.namespace % scenario.namespaces;
    lines.push(`${ipIn(namespace)} link add br${index} type bridge`);
    for (const port of bridge.ports) {
      const end = devices[port];
      if (!end || end.namespace !== namespace || !end.name.startsWith("v")) continue;
      if (closesBridgeLoop(masterOf, end.name, index)) continue;
      masterOf.set(end.name, index);
      lines.push(`${ipIn(namespace)} link set ${end.name} master br${index}`);
    }
  });
  for (const device of devices) lines.push(`${ipIn(device.namespace)} link set ${device.name} up`);
  for (const listener of scenario.listeners) lines.push(`${inNamespace(listener.namespace)} nc -lk ${listener.port} &`);
  // On the kernel a background listener binds a moment later: a connect right after it would race it.
  if (scenario.listeners.length > 0) lines.push("sleep 0.5");
  for (const step of scenario.steps) lines.push(renderStep(step, deviceAt, ipIn, inNamespace));
  return `${lines.join("\n")}\n`;
}

/** Whether putting veth end `name` (va<i> or vb<i>) on bridge `bridge` closes a loop: its peer's bridge is `bridge` or already reaches it through other veth pairs with both ends on bridges. */
function closesBridgeLoop(masterOf: ReadonlyMap<string, number>, name: string, bridge: number): boolean {
  const peer = `${name.startsWith("va") ? "vb" : "va"}${name.slice(2)}`;
  const peerBridge = masterOf.get(peer);
  if (peerBridge === undefined) return false;
  // The links between bridges once `name` leaves whatever bridge it is on (a new master moves it).
  const links = new Map<number, number[]>();
  for (const [end, master] of masterOf) {
    if (end === name || !end.startsWith("va")) continue;
    const other = masterOf.get(`vb${end.slice(2)}`);
    if (other === undefined || `vb${end.slice(2)}` === name) continue;
    links.set(master, [...(links.get(master) ?? []), other]);
    links.set(other, [...(links.get(other) ?? []), master]);
  }
  const seen = new Set([peerBridge]);
  const queue = [peerBridge];
  while (queue.length > 0) {
    const current = queue.shift()!;
    if (current === bridge) return true;
    for (const next of links.get(current) ?? []) if (!seen.has(next)) queue.push(next), seen.add(next);
  }
  return false;
}

function renderStep(
  step: FuzzStep,
  deviceAt: (index: number) => { name: string; namespace: number },
  ipIn: (namespace: number) => string,
  inNamespace: (namespace: number) => string,
): string {
  switch (step.kind) {
    case "addr": {
      const device = deviceAt(step.device);
      return `${ipIn(device.namespace)} addr add ${prefixText(step.address)} dev ${device.name}`;
    }
    case "route": {
      const destination = step.destination === "default" ? "default" : `10.${step.destination + 1}.0.0/16`;
      if ("gateway" in step.via) return `${ipIn(step.namespace)} route add ${destination} via ${addressText(step.via.gateway)}`;
      const device = deviceAt(step.via.device);
      return `${ipIn(device.namespace)} route add ${destination} dev ${device.name}`;
    }
    case "link": {
      // The kernel handles the peer's carrier change a moment later (linkwatch, up to a second);
      // what is sent before then races it (seed 3: a neighbour entry made, then flushed).
      const device = deviceAt(step.device);
      return `${ipIn(device.namespace)} link set ${device.name} ${step.up ? "up" : "down"}\nsleep 1`;
    }
    case "forward":
      return `${inNamespace(step.namespace)} sysctl -q -w net.ipv4.ip_forward=${step.on ? 1 : 0}`;
    case "ping":
      // -W 0.3: a lost probe costs the kernel 0.3 s, not 10.
      return `${inNamespace(step.namespace)} ping -c 1 -W 0.3 ${addressText(step.target)}`;
    case "policy":
      return `${inNamespace(step.namespace)} iptables -P ${step.chain} ${step.target}`;
    case "filter": {
      const protocol = step.protocol === "all" ? "" : ` -p ${step.protocol}`;
      const source = step.source ? ` -s ${networkText(step.source)}` : "";
      return `${inNamespace(step.namespace)} iptables -A ${step.chain}${protocol}${source} -j ${step.target}`;
    }
    case "masquerade": {
      const device = deviceAt(step.outDevice);
      return `${inNamespace(device.namespace)} iptables -t nat -A POSTROUTING -s ${networkText(step.source)} -o ${device.name} -j MASQUERADE`;
    }
    case "snat": {
      const device = deviceAt(step.outDevice);
      return `${inNamespace(device.namespace)} iptables -t nat -A POSTROUTING -o ${device.name} -j SNAT --to-source ${addressText(step.toSource)}`;
    }
    case "dnat":
      return `${inNamespace(step.namespace)} iptables -t nat -A PREROUTING -d ${addressText(step.destination)} -p tcp --dport 8080 -j DNAT --to-destination ${addressText(step.toDestination)}:80`;
    case "nc":
      return `${inNamespace(step.namespace)} nc -z -w 1 ${addressText(step.target)} ${step.port}`;
    case "brnf":
      return `${inNamespace(step.namespace)} sysctl -q -w net.bridge.bridge-nf-call-iptables=${step.on ? 1 : 0}`;
    case "masquerade-self":
      return `${inNamespace(step.namespace)} iptables -t nat -A POSTROUTING -s ${addressText(step.address)} -d ${addressText(step.address)} -p tcp --dport 80 -j MASQUERADE`;
    case "hairpin": {
      const device = deviceAt(step.device);
      return `${inNamespace(device.namespace)} bridge link set dev ${device.name} hairpin ${step.on ? "on" : "off"}`;
    }
    case "nft-rule": {
      const protocol = step.protocol === "all" ? "" : ` meta l4proto ${step.protocol}`;
      const source = step.source ? ` ip saddr ${networkText(step.source)}` : "";
      return `${inNamespace(step.namespace)} nft '${nftFilterChain(step.hook, step.priority)}; add rule inet fz${step.priority} ${step.hook}${source}${protocol} ${step.verdict}'`;
    }
    case "nft-policy":
      return `${inNamespace(step.namespace)} nft '${nftFilterChain(step.hook, step.priority, step.policy)}'`;
    case "nft-masquerade": {
      const device = deviceAt(step.outDevice);
      return `${inNamespace(device.namespace)} nft '${nftNatChain("postrouting")}; add rule ip fznat postrouting ip saddr ${networkText(step.source)} oifname ${device.name} masquerade'`;
    }
    case "nft-dnat":
      return `${inNamespace(step.namespace)} nft '${nftNatChain("prerouting")}; add rule ip fznat prerouting ip daddr ${addressText(step.destination)} tcp dport 8080 dnat to ${addressText(step.toDestination)}:80'`;
    case "nft-list":
      return `${inNamespace(step.namespace)} nft list ruleset`;
  }
}

/** The table and base chain a filter step needs (`add` leaves existing ones as they are, a given policy excepted). */
function nftFilterChain(hook: NftFilterHook, priority: NftPriority, policy?: "accept" | "drop"): string {
  return `add table inet fz${priority}; add chain inet fz${priority} ${hook} { type filter hook ${hook} priority ${priority};${policy ? ` policy ${policy};` : ""} }`;
}

/** nft's nat chains: ten below iptables' prerouting nat (-100), ten above its postrouting one (100), so the order is never a tie. */
function nftNatChain(hook: "prerouting" | "postrouting"): string {
  return `add table ip fznat; add chain ip fznat ${hook} { type nat hook ${hook} priority ${hook === "prerouting" ? -110 : 110}; }`;
}
