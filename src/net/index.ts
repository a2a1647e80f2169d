// The net layer's front door: what the model, commands, probes, backends
// and renderers may use of the packet path. Other layers import src/net
// through this file only (test/net/front-door.test.ts holds them to it).
export { SYS_CLASS_NET, sysfsRead, sysfsTarget, sysfsWrite } from "./bridge/br-sysfs-if.js";
export { devAddTap, devRemoveTap, frameLength } from "./core/dev.js";
export { hasCarrier, isPortForwarding, operState } from "./core/link-state.js";
export type { OperState } from "./core/link-state.js";
export { neighbourState } from "./core/neighbour.js";
export { LOOPBACK_IFINDEX, createWorld, deviceByName, namespaceById, namespaceByName, rootNamespace, vethPeer } from "./core/net-namespace.js";
export { readSysctl } from "./core/proc-sys.js";
export { applyOperation } from "./core/rtnetlink.js";
export { sockRelease, sockSetDataReady, timerStart, timerStop } from "./core/sock.js";
export { advanceClock, runEvents } from "./events.js";
export { isLocalAddress } from "./ipv4/arp.js";
export { createFibTable, fibTableDump, fibTableInsert, fibTableLookup } from "./ipv4/fib-table.js";
export { fibTablesInDumpOrder } from "./ipv4/fib-frontend.js";
export { inetHashConnect } from "./ipv4/inet-hashtables.js";
export { ipLocalOut, routeChoice, routeDecision } from "./ipv4/ip-output.js";
export { fibLookup, ipRouteInput, ipRouteOutput } from "./ipv4/route.js";
export { tcpDataLength } from "./ipv4/tcp-output.js";
export { iptDoTable } from "./netfilter/ip-tables.js";
export { IP_SET_REVISION, ipSetApply, ipSetByName, ipSetHeaderCounts, ipSetMembers, ipSetReferences, ipSetUtest, ipSets } from "./netfilter/ipset/ip-set-core.js";
export { createConntrackTable, expireEntries, findEntry, invertTuple, liveEntries, packetTuple, tuplesEqual } from "./netfilter/nf-conntrack.js";
export { chainReferences, createTable, isBuiltinChain, mergePortMatches, sameRule } from "./netfilter/nf-tables-api.js";
export { NFACCT_NAME_MAX, nfnlAcctApply } from "./netfilter/nfnetlink-acct.js";
export type { NfacctObject, NfacctRequest } from "./netfilter/nfnetlink-acct.js";
export { LIMIT_BURST_DEFAULT, XT_LIMIT_SCALE, nftLimitRate } from "./netfilter/nft-limit.js";
export type { MatchContext } from "./netfilter/xt-match-context.js";
export { createStatisticMatch, formatStatisticProbability, statisticProbability } from "./netfilter/xt-statistic.js";
export { createSimulation, record } from "./simulation.js";
export type { PingSocket, Simulation } from "./simulation.js";
export { socketBind, socketClose, socketConnect, socketCreate, socketListen, tcpSendSegment, udpSendmsg } from "./socket.js";
