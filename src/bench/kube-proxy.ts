// Item 5's ruleset: what kube-proxy (iptables mode) writes for N ClusterIP
// services: KUBE-SERVICES with one rule per service port (-d CLUSTER-IP/32
// -p tcp --dport), each jumping to a KUBE-SVC-* chain that marks
// off-cluster clients for masquerade and picks an endpoint with `-m
// statistic --mode random` branches, each KUBE-SEP-* DNATing to its pod.
// Seeded, so every run (and the kernel) loads the very same rules.
import { seededRandom } from "./measure.js";

export interface KubeService {
  readonly clusterIp: string;
  readonly port: number;
  readonly endpoints: readonly string[];
  readonly targetPort: number;
}

/** Service i: cluster IP 10.96.0.0/12 + i + 1, 1-3 endpoints in 10.244.0.0/16. */
export function kubeServices(count: number, seed: number): KubeService[] {
  const random = seededRandom(seed);
  const services: KubeService[] = [];
  for (let index = 0; index < count; index++) {
    const host = index + 1;
    const clusterIp = `10.${96 + (host >> 16)}.${(host >> 8) & 255}.${host & 255}`;
    const endpointCount = 1 + Math.floor(random() * 3);
    const endpoints: string[] = [];
    for (let endpoint = 0; endpoint < endpointCount; endpoint++) {
      const pod = 2 + Math.floor(random() * 65000);
      endpoints.push(`10.244.${pod >> 8}.${pod & 255}`);
    }
    services.push({ clusterIp, port: [80, 443, 8080, 53][index % 4]!, endpoints, targetPort: 8080 + (index % 7) });
  }
  return services;
}

/** A stable chain-name suffix, as kube-proxy's hash of the service port name. */
function chainSuffix(kind: string, index: number): string {
  let hash = 0x811c9dc5 ^ index;
  let text = "";
  for (let round = 0; round < 4; round++) {
    hash = Math.imul(hash ^ (hash >>> 15) ^ kind.charCodeAt(round % kind.length), 0x2c1b3c6d) >>> 0;
    text += hash.toString(36).toUpperCase().padStart(7, "0").slice(-4);
  }
  return text;
}

/** The nat table as iptables-restore takes it (and iptables-save prints it, counters aside). */
export function kubeProxyRestore(services: readonly KubeService[]): string {
  const chains: string[] = [":KUBE-SERVICES - [0:0]", ":KUBE-NODEPORTS - [0:0]", ":KUBE-MARK-MASQ - [0:0]"];
  const rules: string[] = [
    '-A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
    '-A OUTPUT -m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
    "-A KUBE-MARK-MASQ -j MARK --set-xmark 0x4000/0x4000",
  ];
  const serviceRules: string[] = [];
  services.forEach((service, index) => {
    const name = `default/svc-${index}:p${service.port}`;
    const svc = `KUBE-SVC-${chainSuffix("svc", index)}`;
    chains.push(`:${svc} - [0:0]`);
    serviceRules.push(`-A KUBE-SERVICES -d ${service.clusterIp}/32 -p tcp -m comment --comment "${name} cluster IP" -m tcp --dport ${service.port} -j ${svc}`);
    rules.push(`-A ${svc} ! -s 10.244.0.0/16 -d ${service.clusterIp}/32 -p tcp -m comment --comment "${name} cluster IP" -m tcp --dport ${service.port} -j KUBE-MARK-MASQ`);
    service.endpoints.forEach((endpoint, position) => {
      const sep = `KUBE-SEP-${chainSuffix(`sep${position}`, index)}`;
      chains.push(`:${sep} - [0:0]`);
      const remaining = service.endpoints.length - position;
      const comment = `-m comment --comment "${name} -> ${endpoint}:${service.targetPort}"`;
      rules.push(remaining > 1 ? `-A ${svc} ${comment} -m statistic --mode random --probability ${(1 / remaining).toFixed(11)} -j ${sep}` : `-A ${svc} ${comment} -j ${sep}`);
      rules.push(`-A ${sep} -s ${endpoint}/32 -m comment --comment "${name}" -j KUBE-MARK-MASQ`);
      rules.push(`-A ${sep} -p tcp -m comment --comment "${name}" -m tcp -j DNAT --to-destination ${endpoint}:${service.targetPort}`);
    });
  });
  serviceRules.push('-A KUBE-SERVICES -m comment --comment "kubernetes service nodeports; NOTE: this must be the last rule in this chain" -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS');
  return ["*nat", ":PREROUTING ACCEPT [0:0]", ":INPUT ACCEPT [0:0]", ":OUTPUT ACCEPT [0:0]", ":POSTROUTING ACCEPT [0:0]", ...chains, ...rules, ...serviceRules, "COMMIT", ""].join("\n");
}
