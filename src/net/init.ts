// Boot (net/ipv4/af_inet.c: inet_init(); net/bridge/br.c: br_init();
// nf_register_net_hooks()): what the protocols register with the layers
// below them, so those import none of them and src/net has no import cycle.
// The event loop (events.ts) and the front door (index.ts) import this.
import { brDevXmit } from "./bridge/br-device.js";
import { brHandleFrame } from "./bridge/br-input.js";
import { devAddPack, registerBridgeHandlers } from "./core/dev.js";
import { neighRegisterErrorReport } from "./core/neighbour.js";
import { arpRcv } from "./ipv4/arp.js";
import { icmpSendHostUnreachable } from "./ipv4/icmp.js";
import { ipRcv } from "./ipv4/ip-input.js";
import { nfRegisterHooks } from "./netfilter/core.js";
import { nfHookSlow } from "./netfilter/nf-hook.js";

devAddPack("arp", arpRcv);
devAddPack("ipv4", ipRcv);
neighRegisterErrorReport(icmpSendHostUnreachable);
registerBridgeHandlers(brHandleFrame, brDevXmit);
nfRegisterHooks(nfHookSlow);
