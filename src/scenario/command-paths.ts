// Where Debian 12 (the kernel sandbox) installs each command netsim models,
// as `ls -l` shows there: merged-/usr, /bin -> usr/bin and /sbin -> usr/sbin,
// so a command in /usr/bin is also /bin/NAME and one in /usr/sbin also
// /sbin/NAME (iproute2's ip is in both: /usr/sbin/ip is a link to ../bin/ip).
// A path where Debian has no such file is bash's "No such file or directory",
// status 127, as on the kernel (/usr/bin/sysctl: procps puts it in /usr/sbin).

const IN_USR_BIN = ["ip", "ping", "nsenter", "nc", "curl", "wget", "python3", "socat", "sudo", "tcpdump"];
const IN_USR_SBIN = [
  "ip",
  "sysctl",
  "bridge",
  "brctl",
  "iptables",
  "nft",
  "iptables-save",
  "iptables-restore",
  "ip6tables",
  "ip6tables-save",
  "ip6tables-restore",
  "ipset",
  "nfacct",
  "conntrack",
  "route",
  "ifconfig",
  "arp",
];

/** The directories each modelled command is in on Debian 12. */
const DIRECTORIES = new Map<string, readonly string[]>();
for (const name of new Set([...IN_USR_BIN, ...IN_USR_SBIN])) {
  const directories: string[] = [];
  if (IN_USR_BIN.includes(name)) directories.push("/usr/bin", "/bin");
  if (IN_USR_SBIN.includes(name)) directories.push("/usr/sbin", "/sbin");
  DIRECTORIES.set(name, directories);
}

const SEARCHED = new Set(["/usr/bin", "/bin", "/usr/sbin", "/sbin"]);

/** Where a resolved absolute path names no file on Debian (kept nowhere in the shell's file system). */
export const ABSENT_COMMAND_PREFIX = "/.netsim-absent";

/**
 * The embedded shell runs a custom command only when it is called as
 * /usr/bin/NAME or /bin/NAME (just-bash's stubs): a modelled command's path
 * as Debian installs it maps to its /usr/bin stub, one where Debian has none
 * to a path that does not exist; any other path is left as it is.
 */
export function commandPath(path: string): string {
  const slash = path.lastIndexOf("/");
  if (slash <= 0) return path;
  const directory = path.slice(0, slash);
  const name = path.slice(slash + 1);
  const directories = DIRECTORIES.get(name);
  if (directories === undefined || !SEARCHED.has(directory)) return path;
  if (!directories.includes(directory)) return `${ABSENT_COMMAND_PREFIX}${path}`;
  return `/usr/bin/${name}`;
}

/** The modelled command names, for tests. */
export function modelledCommandDirectories(): ReadonlyMap<string, readonly string[]> {
  return DIRECTORIES;
}
