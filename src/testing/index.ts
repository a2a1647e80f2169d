// netsim/testing: property-testing your own NAT and firewall rules without
// root. Worlds are scenarios (the commands that build them), flows run
// through them packet by packet, and each result says where the flow landed,
// what every device saw and which conntrack entries carried it.
export { buildWorld, concatScenarios, runLine, scenario, ScenarioLineError, splitWords, worldFromScenario, worldFromScenarioFile, type LineResult, type Scenario } from "./scenario.js";
export {
  flowCommand,
  flowTupleOf,
  flowTupleOfConntrack,
  flowTuplesEqual,
  formatFlowTuple,
  invertFlowTuple,
  runFlow,
  runFlows,
  tuplesAt,
  type Flow,
  type FlowConntrack,
  type FlowHop,
  type FlowOutcome,
  type FlowProtocol,
  type FlowResult,
  type FlowTuple,
} from "./flow.js";
export { ephemeralPort, flow, flowProtocol, ipv4Inside, ipv4Outside, packet, parsePrefix, port, prefixHolds, privatePrefix, privilegedPort, type FlowConstraints, type InsideConstraints, type PacketConstraints } from "./arbitraries.js";
export {
  containerHost,
  containerHostArbitrary,
  dockerHost,
  inSubnet,
  type Container,
  type ContainerHost,
  type ContainerHostConstraints,
  type ContainerHostOptions,
  type DockerHost,
  type DockerHostOptions,
  type DockerNetwork,
  type DockerPublish,
  type Listener,
  type PortForward,
} from "./worlds.js";
export { flowScenario, reportAsScenario, type FlowScenario } from "./report.js";
export { cloneWorld, type World } from "../model/world.js";
