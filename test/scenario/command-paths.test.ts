// src/scenario/command-paths.ts: commands called by the paths Debian 12 (the
// kernel sandbox) installs them at. The directories were read in the sandbox
// with `[ -e DIR/NAME ]` over /usr/bin /usr/sbin /bin /sbin for every
// modelled command; /usr/bin/sysctl there is "No such file or directory", 127.
import { describe, expect, it } from "vitest";
import { simulate } from "../support/simulate.js";

describe("commands by absolute path", () => {
  it("runs sysctl, ip and iptables by their /usr/sbin and /sbin paths, directly and through a variable", async () => {
    const run = await simulate(
      [
        "IP=/usr/sbin/ip",
        "$IP netns add a",
        "/sbin/ip netns add b",
        "/bin/ip netns add c",
        "/usr/sbin/sysctl -w net.ipv4.ip_forward=1",
        "/sbin/sysctl net.ipv4.ip_forward",
        "IPTABLES=/sbin/iptables",
        "$IPTABLES -A FORWARD -j ACCEPT",
        "/usr/sbin/iptables -S FORWARD",
        "ip netns list",
        "",
      ].join("\n"),
    );
    expect(run.problems).toEqual([]);
    expect(run.output).not.toContain("No such file or directory");
    expect(run.output).toContain("net.ipv4.ip_forward = 1\nnet.ipv4.ip_forward = 1\n");
    expect(run.output).toContain("-A FORWARD -j ACCEPT\n");
    expect(run.output).toContain("c\nb\na\n");
    // The records name the tool, as the kernel backend's wrappers do, so verify pairs them.
    expect(run.commands.map((record) => record.argv[0])).toEqual(["ip", "ip", "ip", "sysctl", "sysctl", "iptables", "iptables", "ip"]);
  });

  it("fails as bash does, status 127, where Debian has no such file", async () => {
    const run = await simulate(
      ["/usr/bin/sysctl net.ipv4.ip_forward", 'echo "status $?"', "/bin/iptables -S", 'echo "status $?"', "/usr/sbin/ping -c 1 10.0.0.1", 'echo "status $?"', "/usr/sbin/tcpdump -h", 'echo "status $?"', ""].join("\n"),
    );
    expect(run.output).toContain("/usr/bin/sysctl: No such file or directory\n");
    expect(run.output).toContain("/bin/iptables: No such file or directory\n");
    expect(run.output).toContain("/usr/sbin/ping: No such file or directory\n");
    expect(run.output).toContain("/usr/sbin/tcpdump: No such file or directory\n");
    expect(run.output.match(/status 127\n/g)).toHaveLength(4);
    expect(run.commands).toEqual([]);
  });
});
