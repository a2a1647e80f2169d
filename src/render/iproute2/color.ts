// `ip -c` (iproute2 lib/color.c): the same text with ANSI colours around
// interface names, MACs, addresses and the operstate. iproute2 colours even
// when stdout is not a terminal (`-c` means `-color=always`).

const RESET = "\x1b[0m";
const IFNAME = "\x1b[36m";
const MAC = "\x1b[33m";
const INET = "\x1b[35m";
const INET6 = "\x1b[34m";
/** oper_state_color(): UP green, DOWN red, anything else uncoloured. */
const OPERSTATE: Record<string, string> = { UP: "\x1b[32m", DOWN: "\x1b[31m" };

/** Colours `ip link` / `ip addr` text the way print_linkinfo and print_addrinfo do. */
export function colorizeLinkText(text: string): string {
  return text
    .split("\n")
    .map((line) => {
      let result = line.replace(/^(\d+: )(\S+: )(<)/, `$1${IFNAME}$2${RESET}$3`);
      result = result.replace(/ state (\S+) /, (whole, state: string) => (OPERSTATE[state] ? ` state ${OPERSTATE[state]}${state} ${RESET}` : whole));
      result = result.replace(/^(    link\/\S+ )(\S+)( brd )(\S+)/, `$1${MAC}$2${RESET}$3${MAC}$4${RESET}`);
      result = result.replace(/^(    inet )([0-9.]+)/, `$1${INET}$2${RESET}`);
      result = result.replace(/^(    inet6 )([0-9a-f:]+)/, `$1${INET6}$2${RESET}`);
      return result;
    })
    .join("\n");
}
