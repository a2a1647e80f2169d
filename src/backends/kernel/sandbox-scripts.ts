// The bash that runs inside the sandbox: the mount set-up (the private file
// system, locked by a user namespace), the sandbox's init, the BASH_ENV
// tracer that tells wrappers where each command stands, the wrapper that
// stands in for every networking tool, and the state snapshot. Kept as text
// here (not as .bash files) so the compiled package carries them.
//
// Inside these templates `\${` is bash's `${` and `\\` is one backslash.
import { IPTABLES_NFT_FAMILIES, IPTABLES_NFT_TABLES } from "../../scenario/result.js";

/** Absolute paths of the real executables, resolved on the host before the run. */
export interface SandboxExecutables {
  readonly bash: string;
  readonly ip: string;
  readonly iptables: string;
  readonly iptablesSave: string;
  readonly iptablesRestore: string;
  readonly ping: string;
  readonly nc: string;
  readonly sysctl: string;
  readonly conntrack: string;
  readonly nsenter: string;
  readonly bridge: string;
  readonly mount: string;
  readonly mkdir: string;
  readonly tee: string;
  readonly timeout: string;
  // The sandbox's own set-up (setupScript), not tools a scenario calls.
  readonly unshare: string;
  readonly setpriv: string;
  readonly umount: string;
  readonly pivotRoot: string;
  readonly cp: string;
  readonly chown: string;
  /** Tools only some scenarios use (curl, wget, python3, socat, tcpdump, net-tools, sudo, brctl): wrapped when this machine has them. */
  readonly optional?: Readonly<Record<string, string>>;
}

/**
 * Who the scenario's root is. With user namespaces (kernel/user_namespace.c)
 * it is root of a user namespace that owns the scenario's network and mount
 * namespaces and nothing else: mapped to the user that started netsim, or,
 * started as root, to an unprivileged uid (nobody), so host files are touched
 * only as that uid may. Without them (kernel.unprivileged_userns_clone=0,
 * AppArmor's restriction, user.max_user_namespaces=0) it is real root, as
 * before: the same mounts, but not locked against a scenario that undoes them.
 */
export type SandboxIdentity =
  | { readonly kind: "user-namespace" }
  | { readonly kind: "user-namespace-as"; readonly uid: number; readonly gid: number }
  | { readonly kind: "root"; readonly reason: string };

export interface SandboxConfig {
  readonly stateDirectory: string;
  readonly scenarioFile: string;
  readonly scenarioDirectory: string;
  readonly executables: SandboxExecutables;
  readonly snapshots: boolean;
  readonly scriptTimeoutSeconds: number;
  readonly commandTimeoutSeconds: number;
  readonly identity: SandboxIdentity;
  /**
   * Host directories the sandbox's uid cannot search (/root when started as
   * root) on the way to the scenario's folder or the state directory: each
   * gets an empty tmpfs in the sandbox, with only that path made in it.
   */
  readonly skeletonDirectories: readonly string[];
  /**
   * Started as root (identity user-namespace-as): the scenario folder's own
   * files, copied into its private copy owned by the sandbox's uid, so the
   * scenario owns its folder as root owns it. Names relative to the folder.
   */
  readonly filesToOwn: readonly string[];
}

/** The size of each private tmpfs (/tmp, /run, /var/tmp, /dev/shm, the scenario folder's writes). */
export const PRIVATE_TMPFS_SIZE = "64m";

/** The tools a scenario calls by name that get a wrapper in PATH, with the executable each stands for. */
export function wrappedTools(executables: SandboxExecutables): ReadonlyMap<string, string> {
  return new Map([
    ["ip", executables.ip],
    ["iptables", executables.iptables],
    ["iptables-save", executables.iptablesSave],
    ["iptables-restore", executables.iptablesRestore],
    ["ping", executables.ping],
    ["nc", executables.nc],
    ["sysctl", executables.sysctl],
    ["conntrack", executables.conntrack],
    ["nsenter", executables.nsenter],
    ["bridge", executables.bridge],
    ...Object.entries(executables.optional ?? {}),
  ]);
}

/** Quotes a word for bash, whatever it contains. */
export function shellQuote(word: string): string {
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

function assignments(values: Record<string, string | number | boolean>): string {
  return Object.entries(values)
    .map(([name, value]) => `${name}=${shellQuote(typeof value === "boolean" ? (value ? "1" : "") : String(value))}`)
    .join("\n");
}

export function stateLayout(stateDirectory: string) {
  return {
    bin: `${stateDirectory}/bin`,
    // The only writable places of the state directory inside the sandbox.
    records: `${stateDirectory}/records`,
    snapshots: `${stateDirectory}/snapshots`,
    results: `${stateDirectory}/results`,
    output: `${stateDirectory}/results/output`,
    exitStatus: `${stateDirectory}/results/exit-status`,
    sources: `${stateDirectory}/results/sources`,
    // The sandbox's root before pivot_root, and the scenario folder's overlay.
    root: `${stateDirectory}/root`,
    overlay: `${stateDirectory}/overlay`,
    setup: `${stateDirectory}/setup.bash`,
    init: `${stateDirectory}/init.bash`,
    trace: `${stateDirectory}/trace.bash`,
    wrapper: `${stateDirectory}/wrapper.bash`,
    snapshot: `${stateDirectory}/snapshot.bash`,
    devconfReset: `${stateDirectory}/devconf-reset.bash`,
    tcpdumpCapture: `${stateDirectory}/tcpdump-capture.bash`,
  } as const;
}

/**
 * A tool called by path (`/usr/sbin/ip`, `IP=/sbin/ip; $IP ...`) skips the
 * wrappers in PATH: a bash function of that name (bash allows slashes in one)
 * runs the wrapper instead, for each path where the sandbox has the tool, so
 * a path where it has none still fails as bash says. A program that execs
 * the path itself (`ip netns exec NS /bin/ping`) is not covered.
 */
function commandPathFunctions(config: SandboxConfig): string {
  const layout = stateLayout(config.stateDirectory);
  const lines: string[] = [];
  for (const tool of wrappedTools(config.executables).keys()) {
    for (const directory of ["/usr/bin", "/usr/sbin", "/bin", "/sbin"]) {
      lines.push(`if [[ -e ${directory}/${tool} ]]; then ${directory}/${tool}() { ${shellQuote(`${layout.bin}/${tool}`)} "$@"; }; fi`);
    }
  }
  return `${lines.join("\n")}\n`;
}

/**
 * Loaded through BASH_ENV by every bash the scenario starts: before each
 * simple command the DEBUG trap exports the call stack, innermost first, one
 * "LINE FILE" per line, for the wrappers to read. A child bash (`bash x.sh`,
 * `ip netns exec NS bash ...`) appends the stack it was started from, so the
 * launching line shows up among the callers.
 */
export function traceScript(config: SandboxConfig): string {
  const layout = stateLayout(config.stateDirectory);
  return `# netsim kernel backend: call-stack tracer (BASH_ENV)
set -T
__netsim_sources_log=${shellQuote(layout.sources)}
declare -gA __netsim_absolute_source=()
__netsim_base_stack=\${NETSIM_STACK-}
__netsim_trace() {
  local index=1 frame_source absolute stack=""
  while (( index < \${#BASH_SOURCE[@]} )); do
    frame_source=\${BASH_SOURCE[index]}
    # The path functions below are not the user's frames: their caller's line stands.
    if [[ -n $frame_source && $frame_source != "\${BASH_SOURCE[0]}" ]]; then
      absolute=\${__netsim_absolute_source[$frame_source]-}
      if [[ -z $absolute ]]; then
        # Resolved once, against the directory it was first seen from.
        if [[ $frame_source == /* ]]; then absolute=$frame_source; else absolute=$PWD/$frame_source; fi
        __netsim_absolute_source[$frame_source]=$absolute
        printf '%s\\n' "$absolute" >> "$__netsim_sources_log"
      fi
      stack+="\${BASH_LINENO[index-1]} $absolute"$'\\n'
    fi
    index=$((index + 1))
  done
  export NETSIM_STACK="$stack$__netsim_base_stack"
}
# stderr to /dev/null hides the trap's own commands from a scenario's set -x;
# the trailing ':' gives $_ back its value.
trap '{ __netsim_underscore=$_; __netsim_trace; : "$__netsim_underscore"; } 2>/dev/null' DEBUG
${commandPathFunctions(config)}`;
}

/**
 * A fresh network namespace copies net.ipv4.conf.{all,default} from the
 * host's initial namespace (devconf_inherit_init_net 0), so on a host with
 * ip_forward 1 every sandbox namespace would start forwarding. Both backends
 * start from the kernel's own defaults instead.
 *
 * netsim does not model IGMP. A bridge that is up joins 224.0.0.106
 * (br_multicast_join_snoopers) and, once it has an IPv4 address, reports it
 * twice at random moments within a second (igmp_ifc_start_timer): a locally
 * generated packet whose first copy walks nat OUTPUT/POSTROUTING and so
 * counts, or not, on a `-s SUBNET` rule depending on timing alone. Reports
 * for 224.0.0.0/24 are switched off in each namespace (igmp_llm_reports,
 * per namespace and 1 in a new one), so counters count only the modelled.
 */
export function devconfResetScript(): string {
  return `# netsim kernel backend: put inherited conf/all and conf/default back to the kernel defaults
for __netsim_key in all/forwarding default/forwarding all/rp_filter default/rp_filter; do
  echo 0 > /proc/sys/net/ipv4/conf/$__netsim_key
done
echo 0 > /proc/sys/net/ipv4/igmp_link_local_mcast_reports
`;
}

function bashArray(words: readonly string[]): string {
  return `(${words.map(shellQuote).join(" ")})`;
}

/**
 * Runs first as the sandbox's PID 1, in a mount namespace of its own (in a
 * user namespace of its own when netsim is not root): builds the scenario's
 * root file system, then execs the scenario's side, init.
 *
 * The new root is a recursive bind of the host's /, every mount in it made
 * read-only (/proc aside: unshare writes uid_map there; /proc/sys is bound
 * read-only but for /proc/sys/net); private tmpfs mounts on /tmp, /run,
 * /var/tmp, /dev/shm and /run/netns; the scenario's folder as an overlay
 * whose writes go to a tmpfs; the state directory read-only but for records,
 * snapshots and results. pivot_root puts the host's root out of reach, and
 * the scenario's side enters a new user namespace: the kernel copies these
 * mounts into its mount namespace locked (MNT_LOCKED, MNT_LOCK_READONLY in
 * fs/namespace.c's lock_mnt_tree), so its root can neither remount them
 * read-write nor unmount them to see what they cover. Nothing propagates back
 * (--propagation private), and every mount dies with the namespace.
 */
export function setupScript(config: SandboxConfig): string {
  const layout = stateLayout(config.stateDirectory);
  const executables = config.executables;
  const identity = config.identity;
  const owner = identity.kind === "user-namespace-as" ? `,uid=${identity.uid},gid=${identity.gid}` : "";
  const enterScenarioSide =
    identity.kind === "user-namespace"
      ? `exec "$unshare" --user --map-root-user --mount --net -- "$setpriv" --pdeathsig KILL -- "$bash_command" -p "$init"`
      : identity.kind === "user-namespace-as"
        ? `exec "$setpriv" --reuid=${identity.uid} --regid=${identity.gid} --clear-groups -- "$unshare" --user --map-root-user --mount --net -- "$setpriv" --pdeathsig KILL -- "$bash_command" -p "$init"`
        : `exec "$unshare" --mount --net -- "$setpriv" --pdeathsig KILL -- "$bash_command" -p "$init"`;
  return `# netsim kernel backend: sandbox set-up (PID 1 of the sandbox's PID namespace, until it execs init)
set -u
${assignments({
  mount: executables.mount,
  umount: executables.umount,
  mkdir: executables.mkdir,
  cp: executables.cp,
  chown: executables.chown,
  pivot_root: executables.pivotRoot,
  unshare: executables.unshare,
  setpriv: executables.setpriv,
  bash_command: executables.bash,
  new_root: layout.root,
  state: config.stateDirectory,
  overlay: layout.overlay,
  init: layout.init,
  scenario_directory: config.scenarioDirectory,
  tmpfs_size: PRIVATE_TMPFS_SIZE,
  owner,
  sandbox_owner: identity.kind === "user-namespace-as" ? `${identity.uid}:${identity.gid}` : "",
})}
skeletons=${bashArray(config.skeletonDirectories)}
files_to_own=${bashArray(config.filesToOwn)}
fail() { echo "netsim sandbox: $1" >&2; exit 90; }

"$mount" --rbind / "$new_root" || fail "cannot bind / to $new_root"
# Every mount of the new root read-only (mountinfo: 5th field the mount point,
# octal-escaped; 6th its options), but those already read-only and those the
# private mounts below cover.
while IFS=' ' read -r _ _ _ _ point options _; do
  printf -v point -- "\${point//%/%%}"
  [[ $point == "$new_root" || $point == "$new_root"/* ]] || continue
  [[ $options == ro || $options == ro,* ]] && continue
  for covered in /proc /tmp /var/tmp /dev/shm /run /var/run /sys/fs/cgroup; do
    [[ $point == "$new_root$covered" || $point == "$new_root$covered"/* ]] && continue 2
  done
  "$mount" -o remount,bind,ro,nosuid "$point" || fail "cannot make $point read-only"
done < /proc/self/mountinfo
# Private, size-limited tmpfs mounts where programs write.
for directory in /tmp /var/tmp /dev/shm /run /var/run; do
  [[ -d $directory && ! -L $directory ]] || continue
  mode=1777
  [[ $directory == /run || $directory == /var/run ]] && mode=0755
  "$mount" -t tmpfs -o "mode=$mode,size=$tmpfs_size,nosuid,nodev$owner" netsim-private "$new_root$directory" || fail "cannot mount a tmpfs on $directory"
done
# The host's cgroups are none of the scenario's business: an empty read-only
# tmpfs covers them (one mount, where a v1 host has one per hierarchy).
if [[ -d /sys/fs/cgroup ]]; then
  "$mount" -t tmpfs -o ro,mode=0755,size=4k,nosuid,nodev,noexec netsim-cgroup "$new_root/sys/fs/cgroup" || fail "cannot cover /sys/fs/cgroup"
fi
for directory in "\${skeletons[@]}"; do
  "$mount" -t tmpfs -o mode=0755,size=1m,nosuid,nodev netsim-skeleton "$new_root$directory" || fail "cannot mount a tmpfs on $directory"
done
"$mount" -t tmpfs -o "mode=0700,size=$tmpfs_size" netsim-scenario "$overlay" || fail "cannot mount a tmpfs on $overlay"
# Every mount point still missing, at once.
"$mkdir" -p -- "$new_root/run/netns" "$overlay/lower" "$overlay/upper" "$overlay/work" "$new_root$scenario_directory" "$new_root$state" \\
  || fail "cannot make the sandbox's mount points"
# 'ip netns add' inside never reaches the host's /run/netns.
"$mount" -t tmpfs -o "mode=0755,size=1m,nosuid,nodev$owner" netsim-netns "$new_root/run/netns" || fail "cannot mount a tmpfs on /run/netns"
# The scenario's folder: the host's, read-only, under a tmpfs that takes the writes.
"$mount" --bind "$scenario_directory" "$overlay/lower" || fail "cannot prepare a copy of $scenario_directory"
# Started as root, the scenario's root is an unprivileged uid: it owns its folder and the files in it.
if [[ -n $sandbox_owner ]]; then
  owned=("$overlay/upper") sources=()
  for name in "\${files_to_own[@]}"; do
    sources+=("$scenario_directory/$name")
    owned+=("$overlay/upper/$name")
  done
  if (( \${#sources[@]} )); then "$cp" -p -- "\${sources[@]}" "$overlay/upper/" || fail "cannot copy the files of $scenario_directory"; fi
  "$chown" -- "$sandbox_owner" "\${owned[@]}" || fail "cannot give the scenario its folder"
fi
(cd "$overlay" && "$mount" -t overlay -o lowerdir=lower,upperdir=upper,workdir=work netsim-scenario "$new_root$scenario_directory") \\
  || fail "cannot mount a copy of $scenario_directory"
# The state directory: read-only but for what the sandbox writes back.
# (A bind takes its source's flags: the host's state directory is writable.)
"$mount" --bind -o ro "$state" "$new_root$state" || fail "cannot bind $state"
for directory in records snapshots results; do
  "$mount" --bind "$state/$directory" "$new_root$state/$directory" || fail "cannot bind $state/$directory"
done
# Only net.* stays writable: a scenario's sysctl can never change the host's kernel.
"$mount" --bind -o ro "$new_root/proc/sys" "$new_root/proc/sys" && "$mount" --bind /proc/sys/net "$new_root/proc/sys/net" \\
  || fail "cannot make /proc/sys read-only"
# The host's root goes out of reach (a chroot could be escaped).
cd "$new_root" && "$pivot_root" . . && "$umount" -l . && cd / || fail "cannot pivot_root into $new_root"
${enterScenarioSide}
fail "cannot start the scenario's side"
`;
}

/** Runs as the sandbox's PID 1 after the set-up: prepares the namespace, runs the scenario, takes the last snapshot. */
export function initScript(config: SandboxConfig): string {
  const layout = stateLayout(config.stateDirectory);
  const executables = config.executables;
  return `# netsim kernel backend: sandbox init (PID 1 of the sandbox's PID namespace, in the scenario's namespaces)
set -u
${assignments({
  ip: executables.ip,
  timeout_command: executables.timeout,
  bash_command: executables.bash,
  bin: layout.bin,
  trace: layout.trace,
  output: layout.output,
  exit_status: layout.exitStatus,
  snapshot: layout.snapshot,
  devconf_reset: layout.devconfReset,
  scenario_file: config.scenarioFile,
  scenario_directory: config.scenarioDirectory,
  script_timeout: config.scriptTimeoutSeconds,
  snapshots: config.snapshots,
})}
fail() { echo "netsim sandbox: $1" >&2; exit 90; }
# A host's root namespace has lo up; unshare --net leaves it down.
"$ip" link set lo up || fail "cannot set lo up"
. "$devconf_reset" || fail "cannot reset net.ipv4.conf defaults"
cd -- "$scenario_directory" || fail "cannot enter $scenario_directory"
PATH="$bin:$PATH" BASH_ENV="$trace" "$timeout_command" -k 2 "$script_timeout" \
  "$bash_command" -- "$scenario_file" > "$output" 2>&1 < /dev/null
echo "$?" > "$exit_status"
if [[ -n $snapshots ]]; then "$bash_command" -p "$snapshot" end; fi
exit 0
`;
}

/** Captures every namespace's state: run from the sandbox's root network and mount namespace. */
export function snapshotScript(config: SandboxConfig): string {
  const layout = stateLayout(config.stateDirectory);
  const executables = config.executables;
  return `# netsim kernel backend: state snapshot; argument: the snapshot's name
set -u
${assignments({
  ip: executables.ip,
  iptables_save: executables.iptablesSave,
  ip6tables_save: executables.optional?.["ip6tables-save"] ?? "",
  conntrack: executables.conntrack,
  nft: executables.optional?.nft ?? "",
  nsenter: executables.nsenter,
  mkdir: executables.mkdir,
  snapshots: layout.snapshots,
})}
directory=$snapshots/$1
"$mkdir" -p -- "$directory"

# A carrier change shows in LOWER_UP at once, but RUNNING, the operstate, the
# routes' linkdown flag and the neighbour flush follow only when linkwatch
# runs, up to a second later. A link whose LOWER_UP and RUNNING disagree
# (NO-CARRIER beside LOWER_UP, or UP with neither) is such a pending change,
# and so is a veth still in operstate UNKNOWN: veth_newlink() sets the carrier
# off after register_netdevice(), so only a linkwatch run that has not happened
# yet leaves it in the UNKNOWN it was allocated with (which also counts as
# running: no NO-CARRIER). (A bridge with no port is UNKNOWN for good.) Wait
# for it (1.5 s at most), so a snapshot never catches the kernel halfway.
linkwatch_pending() {
  local path line flags
  local -a ip_namespace
  for path in "" /run/netns/*; do
    ip_namespace=()
    if [[ -n $path ]]; then [[ -e $path ]] || continue; ip_namespace=(-n "\${path##*/}"); fi
    while IFS= read -r line; do
      flags=\${line#*<}
      flags=,\${flags%%>*},
      [[ $flags == *,LOWER_UP,* && $flags == *,NO-CARRIER,* ]] && return 0
      [[ $flags == *,UP,* && $flags != *,LOWER_UP,* && $flags != *,NO-CARRIER,* ]] && return 0
      [[ $line == *" state UNKNOWN "* && $line == *'\\    veth '* ]] && return 0
    done < <("$ip" "\${ip_namespace[@]}" -o -d link 2> /dev/null)
  done
  return 1
}
waited=0
while (( waited < 15 )) && linkwatch_pending; do
  read -r -t 0.1 <> <(:) || :
  waited=$((waited + 1))
done

capture() {
  local prefix=$directory/$1 name=$2
  local -a ip_namespace=() enter=()
  if [[ -n $name ]]; then ip_namespace=(-n "$name"); enter=("$nsenter" "--net=/run/netns/$name" --); fi
  printf '%s' "$name" > "$prefix.namespace"
  "$ip" "\${ip_namespace[@]}" -j link > "$prefix.link" 2> /dev/null
  "$ip" "\${ip_namespace[@]}" -j addr > "$prefix.addr" 2> /dev/null
  "$ip" "\${ip_namespace[@]}" -j route show table all > "$prefix.route" 2> /dev/null
  "$ip" "\${ip_namespace[@]}" -j neigh > "$prefix.neigh" 2> /dev/null
  "\${enter[@]}" "$iptables_save" > "$prefix.iptables" 2> /dev/null
  local tables=""
  if [[ -n $nft ]]; then tables=$("\${enter[@]}" "$nft" list tables 2> /dev/null); fi
  # The ip6 family's iptables-nft tables: ip6tables-save where nft lists an ip6 table (or without nft), an empty save
  # where it lists none (one process less per namespace and snapshot: conntrack's timers run on while snapshots are taken).
  # No .ip6tables file: ip6tables-save is not installed.
  if [[ -n $ip6tables_save ]]; then
    if [[ -z $nft || $tables == *"table ip6 "* ]]; then "\${enter[@]}" "$ip6tables_save" > "$prefix.ip6tables" 2> /dev/null; else : > "$prefix.ip6tables"; fi
  fi
  # conntrack's "N flow entries have been shown." goes to stderr: left out.
  "\${enter[@]}" "$conntrack" -L > "$prefix.conntrack" 2> /dev/null
  # nft's own tables, each as \`nft list table\` prints it; iptables-nft's are in the .iptables file. No .nft file: nft is not installed.
  if [[ -n $nft ]]; then
    : > "$prefix.nft"
    local keyword family table
    while read -r keyword family table; do
      [[ $keyword == table ]] || continue
      case "$family $table" in ${IPTABLES_NFT_FAMILIES.flatMap((family) => IPTABLES_NFT_TABLES.map((name) => `"${family} ${name}"`)).join("|")}) continue;; esac
      "\${enter[@]}" "$nft" list table "$family" "$table" >> "$prefix.nft" 2> /dev/null
    done <<< "$tables"
  fi
}
capture 0 ""
index=1
for path in /run/netns/*; do
  [[ -e $path ]] || continue
  capture "$index" "\${path##*/}"
  index=$((index + 1))
done
# Written last: a snapshot cut short by the time limit has no marker and is ignored.
: > "$directory/complete"
`;
}

/** The wrapper every tool stub sources: runs the real tool, shows its output untouched, leaves a record. */
export function wrapperScript(config: SandboxConfig): string {
  const layout = stateLayout(config.stateDirectory);
  const executables = config.executables;
  return `# netsim kernel backend: wrapper for one networking command
# Sourced by bin/TOOL with netsim_tool and netsim_real_command set.
set -u
${assignments({
  netsim_records: layout.records,
  netsim_snapshot: layout.snapshot,
  netsim_devconf_reset: layout.devconfReset,
  netsim_snapshots: config.snapshots,
  netsim_command_limit: config.commandTimeoutSeconds,
  netsim_bash: executables.bash,
  netsim_nsenter: executables.nsenter,
  netsim_tee: executables.tee,
  netsim_timeout: executables.timeout,
  netsim_in_user_namespace: config.identity.kind !== "root",
  netsim_tcpdump_capture: layout.tcpdumpCapture,
})}
netsim_id=\${EPOCHREALTIME//[!0-9]/}-$$
netsim_record=$netsim_records/$netsim_id

# The namespace this process is in: the /run/netns name on the same nsfs inode.
netsim_namespace=""
for netsim_path in /run/netns/*; do
  if [[ /proc/$$/ns/net -ef $netsim_path ]]; then netsim_namespace=\${netsim_path##*/}; break; fi
done

# ip's object and verb after its global options (the ones taking a value skip it).
netsim_ip_words() {
  local -a words=("$@")
  local index=0
  while (( index < \${#words[@]} )); do
    case \${words[index]} in
      -f|-family|--family|-l|-loops|--loops|-rc|-rcvbuf|--rcvbuf|-b|-batch|--batch|-n|-netns|--netns) index=$((index + 2)) ;;
      -*) index=$((index + 1)) ;;
      *) break ;;
    esac
  done
  netsim_ip_object=\${words[index]-}
  netsim_ip_verb=\${words[index + 1]-}
  netsim_ip_argument=\${words[index + 2]-}
}

# 'ip netns del' only unmounts the name; cleanup_net() tears the namespace
# down later, from a workqueue, and takes the veth peers it has in other
# namespaces with it. The links named "link-netns NAME" elsewhere are noted
# before, and waited for after, so the next line sees the kernel caught up.
netsim_peer_namespaces=() netsim_peer_links=()
netsim_netns_peers() {
  local path line link
  local -a enter
  for path in "" /run/netns/*; do
    if [[ -n $path ]]; then
      [[ -e $path && \${path##*/} != "$1" ]] || continue
      enter=("$netsim_nsenter" "--net=$path" --)
    else
      enter=("$netsim_nsenter" --net=/proc/1/ns/net --)
    fi
    while IFS= read -r line; do
      [[ $line == *" link-netns $1" || $line == *" link-netns $1 "* ]] || continue
      link=\${line#*: }
      netsim_peer_namespaces+=("$path")
      netsim_peer_links+=("\${link%%[@:]*}")
    done < <("\${enter[@]}" "$netsim_real_command" -o link 2> /dev/null)
  done
}
netsim_netns_peers_pending() {
  local index path
  for index in "\${!netsim_peer_links[@]}"; do
    path=\${netsim_peer_namespaces[index]:-/proc/1/ns/net}
    "$netsim_nsenter" "--net=$path" -- "$netsim_real_command" link show dev "\${netsim_peer_links[index]}" > /dev/null 2>&1 && return 0
  done
  return 1
}

# nc's modes; glibc getopt permutes, so options may follow the operands.
netsim_nc_listen="" netsim_nc_udp="" netsim_nc_verbose=""
netsim_nc_options() {
  local -a words=("$@")
  local index=0 word rest letter
  while (( index < \${#words[@]} )); do
    word=\${words[index]}
    index=$((index + 1))
    [[ $word == -- ]] && break
    [[ $word == -?* ]] || continue
    rest=\${word#-}
    while [[ -n $rest ]]; do
      letter=\${rest:0:1}
      rest=\${rest:1}
      case $letter in
        l) netsim_nc_listen=1 ;;
        u) netsim_nc_udp=1 ;;
        v) netsim_nc_verbose=1 ;;
        [IiMmOPpqsTVWwXx]) [[ -z $rest ]] && index=$((index + 1)); rest="" ;;
      esac
    done
  done
}

# sudo's own options, then the command: the command runs under env, which gives
# it back the PATH (sudo's secure_path would skip the wrappers) and the
# tracer's variables (env_reset drops them), as ip netns exec keeps them.
netsim_sudo_argv() {
  local -a words=("$@")
  local index=0 word rest
  netsim_sudo_command=()
  while (( index < \${#words[@]} )); do
    word=\${words[index]}
    case $word in
      --) index=$((index + 1)); break ;;
      --user|--group|--host|--prompt|--chroot|--chdir|--role|--type|--command-timeout|--other-user|--close-from) index=$((index + 2)) ;;
      --*) index=$((index + 1)) ;;
      -?*)
        index=$((index + 1))
        rest=\${word#-}
        # The first letter that takes a value takes the rest of the word, or the next word.
        while [[ -n $rest ]]; do
          case \${rest:0:1} in
            [CDghpRrTtUu]) [[ -z \${rest:1} ]] && index=$((index + 1)); break ;;
          esac
          rest=\${rest:1}
        done ;;
      *) break ;;
    esac
  done
  netsim_sudo_command=("\${words[@]:0:index}")
  netsim_sudo_inner=()
  if (( index < \${#words[@]} )); then
    [[ \${words[index - 1]-} == -- ]] || netsim_sudo_command+=(--)
    netsim_sudo_inner=(env "PATH=$PATH" "NETSIM_STACK=\${NETSIM_STACK-}" "NETSIM_PARENT=\${NETSIM_PARENT-}")
    [[ -n \${BASH_ENV-} ]] && netsim_sudo_inner+=("BASH_ENV=$BASH_ENV")
    netsim_sudo_inner+=("\${words[@]:index}")
    netsim_sudo_command+=("\${netsim_sudo_inner[@]}")
  fi
}

# kind: leaf | outer (runs another command: ip netns exec, nsenter, sudo) | ping | nc-listen | nc-connect-tcp | nc-connect-udp | server (python3 -m http.server, socat TCP-LISTEN, tcpdump: run until killed)
netsim_kind=leaf
netsim_add_verbose=""
netsim_netns_added=""
case $netsim_tool in
  ping) netsim_kind=ping ;;
  nc)
    netsim_nc_options "$@"
    if [[ -n $netsim_nc_listen ]]; then netsim_kind=nc-listen
    elif [[ -n $netsim_nc_udp ]]; then netsim_kind=nc-connect-udp
    else
      netsim_kind=nc-connect-tcp
      # Only -v makes nc say why a connect failed; -v changes UDP probing, so never there.
      [[ -z $netsim_nc_verbose ]] && netsim_add_verbose=1
    fi ;;
  nsenter|sudo) netsim_kind=outer ;;
  python3|tcpdump) netsim_kind=server ;;
  socat) [[ " $* " == *TCP-LISTEN:* || " $* " == *TCP4-LISTEN:* ]] && netsim_kind=server ;;
  curl|wget) netsim_limit_client=1 ;;
  ip)
    netsim_ip_words "$@"
    case $netsim_ip_object in
      net|netn|netns)
        case $netsim_ip_verb in
          e|ex|exe|exec) netsim_kind=outer ;;
          a|ad|add) netsim_netns_added=$netsim_ip_argument ;;
          d|de|del|dele|delet|delete) netsim_netns_peers "$netsim_ip_argument" ;;
        esac ;;
    esac ;;
esac

printf '%s\\0' "$netsim_tool" "$@" > "$netsim_record.argv"
printf '%s' "\${NETSIM_STACK-}" > "$netsim_record.stack"
printf '%s' "$netsim_namespace" > "$netsim_record.namespace"
printf '%s' "$netsim_kind" > "$netsim_record.kind"
# The enclosing wrapper (ip netns exec, nsenter) is not a leaf: tell it.
if [[ -n \${NETSIM_PARENT-} ]]; then : > "$netsim_records/$NETSIM_PARENT.has-children"; fi
export NETSIM_PARENT=$netsim_id

netsim_command=("$netsim_real_command")
[[ -n $netsim_add_verbose ]] && netsim_command+=(-v)
if [[ $netsim_tool == sudo ]]; then
  netsim_sudo_argv "$@"
  # Root of a user namespace cannot run the real sudo (its files belong to
  # unmapped uids: "sudo.conf is owned by uid 65534"); the scenario is root
  # already, so the forms the simulator takes run their command directly.
  if [[ -n $netsim_in_user_namespace && \${#netsim_sudo_inner[@]} -gt 0 ]]; then
    netsim_command=("\${netsim_sudo_inner[@]}")
  else
    netsim_command+=("\${netsim_sudo_command[@]}")
  fi
elif [[ $netsim_tool == tcpdump && -n $netsim_in_user_namespace ]]; then
  # Root of a user namespace cannot be the user tcpdump drops to (measured: "Couldn't change to 'tcpdump' uid=102", and -Z root fails the same in initgroups()).
  netsim_command=("$netsim_bash" -p "$netsim_tcpdump_capture" "$netsim_real_command" "$@")
else
  netsim_command+=("$@")
fi
netsim_limit=()
case $netsim_kind in
  # SIGINT makes ping print its summary, as after Ctrl-C.
  ping) netsim_limit=(--preserve-status -s INT -k 2 "$netsim_command_limit") ;;
  nc-connect-*) netsim_limit=(-k 2 "$netsim_command_limit") ;;
  leaf) [[ $netsim_tool == conntrack || -n \${netsim_limit_client-} ]] && netsim_limit=(-k 2 "$netsim_command_limit") ;;
esac
# argv[0] stays the bare name: ping and nc print it in their messages.
netsim_run() {
  if (( \${#netsim_limit[@]} )); then
    exec "$netsim_timeout" "\${netsim_limit[@]}" "$netsim_bash" -p -c 'exec -a "$0" "$@"' "$netsim_tool" "$@"
  fi
  exec -a "$netsim_tool" "$@"
}

# The child runs in the background so a signal to this wrapper ('kill $!'
# on a listener) reaches it now, not after it ends.
netsim_child=""
netsim_forward() { [[ -n $netsim_child ]] && kill -s "$1" "$netsim_child" 2> /dev/null; }
trap 'netsim_forward TERM' TERM
trap 'netsim_forward HUP' HUP
trap 'netsim_forward INT' INT

netsim_out_pid="" netsim_err_pid=""
exec {netsim_stdin}<&0
if [[ $netsim_kind == outer ]]; then
  # Not captured: its leaf commands capture their own output, and a daemon it
  # starts would hold a capture pipe open.
  netsim_run "\${netsim_command[@]}" <&$netsim_stdin {netsim_stdin}<&- &
  netsim_child=$!
else
  exec {netsim_out}> >(exec "$netsim_tee" -- "$netsim_record.stdout")
  netsim_out_pid=$!
  if [[ -n $netsim_add_verbose ]]; then
    exec {netsim_err}> "$netsim_record.verbose-stderr"
  else
    exec {netsim_err}> >(exec "$netsim_tee" -- "$netsim_record.stderr" >&2)
    netsim_err_pid=$!
  fi
  netsim_run "\${netsim_command[@]}" <&$netsim_stdin >&$netsim_out 2>&$netsim_err {netsim_stdin}<&- {netsim_out}>&- {netsim_err}>&- &
  netsim_child=$!
  exec {netsim_out}>&- {netsim_err}>&-
fi
exec {netsim_stdin}<&-

while :; do
  wait "$netsim_child"
  netsim_status=$?
  # wait returns early when a trapped signal arrives; wait again while the child lives.
  kill -0 "$netsim_child" 2> /dev/null || break
done
[[ -n $netsim_out_pid ]] && wait "$netsim_out_pid"
[[ -n $netsim_err_pid ]] && wait "$netsim_err_pid"

if [[ -n $netsim_add_verbose ]]; then
  # Drop what only the added -v printed; the rest is what the user's nc printed.
  netsim_connected='^Connection to .* port \\[(tcp|udp)/[^]]*\\] succeeded!$'
  netsim_failed='^nc: connect to .* port .* \\((tcp|udp)\\) (failed|timed out): '
  while IFS= read -r netsim_line || [[ -n $netsim_line ]]; do
    [[ $netsim_line =~ $netsim_connected || $netsim_line =~ $netsim_failed ]] && continue
    printf '%s\\n' "$netsim_line"
  done < "$netsim_record.verbose-stderr" > "$netsim_record.stderr"
  while IFS= read -r netsim_line || [[ -n $netsim_line ]]; do
    printf '%s\\n' "$netsim_line" >&2
  done < "$netsim_record.stderr"
fi

if [[ -n $netsim_netns_added && $netsim_status == 0 ]]; then
  "$netsim_nsenter" "--net=/run/netns/$netsim_netns_added" -- "$netsim_bash" -p "$netsim_devconf_reset"
fi
if (( \${#netsim_peer_links[@]} )) && [[ $netsim_status == 0 ]]; then
  netsim_waited=0
  while (( netsim_waited < 30 )) && netsim_netns_peers_pending; do
    read -r -t 0.1 <> <(:) || :
    netsim_waited=$((netsim_waited + 1))
  done
fi
if [[ -n $netsim_snapshots && $netsim_kind != leaf && $netsim_kind != outer && $netsim_kind != nc-listen && $netsim_kind != server ]]; then
  # From the sandbox's root namespaces (PID 1's), wherever this probe ran.
  "$netsim_nsenter" --net=/proc/1/ns/net --mount=/proc/1/ns/mnt -- "$netsim_bash" -p "$netsim_snapshot" "$netsim_id"
fi

printf '%s' "$netsim_status" > "$netsim_record.exit"
printf '%s' "\${EPOCHREALTIME//[!0-9]/}" > "$netsim_record.end"

if (( netsim_status > 128 && netsim_status < 160 )); then
  # Killed by a signal: die by it too, so the shell sees what it would have seen.
  trap - TERM HUP INT
  kill -s "$((netsim_status - 128))" "$$"
fi
exit "$netsim_status"
`;
}

/** bin/TOOL: names the tool and its real executable, then sources the wrapper. */
export function toolStub(config: SandboxConfig, tool: string, realCommand: string): string {
  const layout = stateLayout(config.stateDirectory);
  // -p: no BASH_ENV (the tracer), no functions or SHELLOPTS from the scenario.
  return `#!${config.executables.bash} -p
${assignments({ netsim_tool: tool, netsim_real_command: realCommand })}
. ${shellQuote(layout.wrapper)} "$@"
`;
}

/**
 * tcpdump in a user namespace. tcpdump started as uid 0 always drops its
 * privileges (Debian builds it --with-user=tcpdump; -Z root and
 * --relinquish-privileges=root go through initgroups() too), and in a user
 * namespace setgroups() is denied and uid tcpdump is unmapped, so it exits
 * (measured). So: the real tcpdump checks the device and the expression
 * with its own texts (-d opens the device, compiles, and exits before it
 * drops anything); a PF_PACKET socket on the device (promiscuous unless -p,
 * as libpcap asks) writes a pcap stream; and the real tcpdump, as uid 1 of
 * a user namespace of its own (so it keeps nothing to drop), decodes it
 * with -r -: every line is tcpdump's own. Its stderr says "reading from
 * file -" where a live capture says "listening on DEV", and it prints no
 * statistics at the end.
 */
export function tcpdumpCaptureScript(config: SandboxConfig): string {
  const executables = config.executables;
  return `# netsim kernel backend: tcpdump as root of a user namespace (see tcpdumpCaptureScript)
set -u
${assignments({ python: executables.optional?.python3 ?? "", unshare: executables.unshare })}
real=$1
shift
"$real" -d "$@" > /dev/null || exit
[[ -n $python ]] || { echo "netsim sandbox: tcpdump in a user namespace needs python3 (Debian package python3) to capture" >&2; exit 1; }
device="" promisc=1 reader=()
while (( $# )); do
  word=$1
  shift
  case $word in
    --) reader+=("$word" "$@"); break ;;
    --relinquish-privileges=*|--immediate-mode) ;;
    --relinquish-privileges) shift ;;
    --*) reader+=("$word") ;;
    -?*)
      letters=\${word#-} kept=""
      while [[ -n $letters ]]; do
        letter=\${letters:0:1}
        letters=\${letters:1}
        case $letter in
          i|Z|c)
            value=$letters
            if [[ -z $value ]]; then value=\${1-}; shift; fi
            letters=""
            case $letter in
              i) device=$value ;;
              c) reader+=(-c "$value") ;;
            esac ;;
          p) promisc=0 ;;
          *) kept+=$letter ;;
        esac
      done
      [[ -n $kept ]] && reader+=("-$kept") ;;
    *) reader+=("$word") ;;
  esac
done
# PACKET_ADD_MEMBERSHIP with PACKET_MR_PROMISC, as libpcap does; on a loopback
# device the copy dev_queue_xmit_nit() makes (PACKET_OUTGOING) is skipped, as
# libpcap skips it.
capture='
import select, socket, struct, sys, time
device, promisc = sys.argv[1], sys.argv[2] == "1"
sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(3))
sock.bind((device, 0))
if promisc:
    sock.setsockopt(263, 1, struct.pack("iHH8s", socket.if_nametoindex(device), 1, 0, b""))
out = sys.stdout.buffer
out.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, 1))
out.flush()
poll = select.poll()
poll.register(sock, select.POLLIN)
poll.register(sys.stdout.fileno(), select.POLLERR)
while True:
    for fd, _ in poll.poll():
        if fd != sock.fileno():
            sys.exit(0)
        data, address = sock.recvfrom(262144)
        if address[3] == 772 and address[2] == socket.PACKET_OUTGOING:
            continue
        now = time.time()
        try:
            out.write(struct.pack("<IIII", int(now), int(now % 1 * 1000000), len(data), len(data)) + data)
            out.flush()
        except BrokenPipeError:
            sys.exit(0)
'
"$python" -c "$capture" "$device" "$promisc" 2> /dev/null | "$unshare" --user --map-user=1 --map-group=1 -- "$real" -r - "\${reader[@]}"
`;
}
