// Jobs on the virtual clock (src/scenario/jobs.ts through the runner): `&`
// starts a job that runs alongside later lines, $! names it, jobs lists it,
// kill stops it (a killed listener refuses the next connect), wait and sleep
// move every job on. Texts as bash 5.2 prints them (recorded in the kernel
// sandbox; scenarios/regressions/scenario-shell.sh verifies the same on the kernel).
import { describe, expect, it } from "vitest";
import { ScenarioSimulator } from "../../src/scenario/runner.js";

async function run(lines: readonly string[]) {
  return new ScenarioSimulator({ files: { "/s/main.sh": `${lines.join("\n")}\n` } }).run("/s/main.sh");
}

const LISTENER = ["ip netns add a", "ip -n a link set lo up", "ip netns exec a nc -lk 127.0.0.1 8080 &", "pid=$!"];

describe("jobs", () => {
  // bash 5.2's job table (jobs.c): a job's number is one past the highest in the table, 1 in an empty one; `wait N`
  // drops the job, `wait` every ended one; `jobs` shows an ended job once (Done, Exit N) and drops it; a job a signal
  // ended goes silently; kill of an ended, unreported job is status 0. Expected text: this script under /bin/bash 5.2
  // (4 runs, the same every time).
  it("numbers, lists and forgets jobs as bash's job table does", async () => {
    const result = await run([
      "sleep 0.1 & wait $!",
      "sleep 3 & jobs",
      "kill %1; wait",
      "sleep 0.1 &",
      "sleep 0.3",
      "sleep 3 & jobs",
      "kill %2; wait",
      "bash -c 'exit 0'",
      "sleep 3 &",
      "kill %1",
      "sleep 0.2",
      "sleep 3 &",
      "jobs",
      "kill %%",
      "sleep 0.2",
      "sleep 3 &",
      "p=$!",
      "kill $p",
      "wait $p",
      "echo \"status $?\"",
      "sleep 3 &",
      "jobs",
      "kill %%",
      "wait",
      "sleep 0.1 &",
      "sleep 0.3",
      "kill %1",
      "echo \"kill status $?\"",
      "jobs",
      "sleep 0.1 &",
      "sleep 0.3",
      "wait %1",
      "echo \"wait status $?\"",
      "sleep 3 & jobs",
      "kill %%",
      "wait",
    ]);
    expect(result.problems).toEqual([]);
    expect(result.output).toBe("[1]+  Running                 sleep 3 &\n[1]   Done                    sleep 0.1\n[2]+  Running                 sleep 3 &\n[1]+  Running                 sleep 3 &\nstatus 143\n[1]+  Running                 sleep 3 &\nkill status 0\n[1]+  Done                    sleep 0.1\nwait status 0\n[1]+  Running                 sleep 3 &\n");
  });

  it("a listener job accepts until killed, then the connect is refused; wait gives 143", async () => {
    const result = await run([...LISTENER, "ip netns exec a nc -z -w 1 127.0.0.1 8080; echo \"connect=$?\"", "jobs", "kill $pid", "wait $pid; echo \"wait=$?\"", "ip netns exec a nc -z -w 1 127.0.0.1 8080; echo \"after=$?\"", "jobs | wc -l"]);
    expect(result.problems).toEqual([]);
    expect(result.output).toBe("connect=0\n[1]+  Running                 ip netns exec a nc -lk 127.0.0.1 8080 &\nwait=143\nafter=1\n0\n");
  });

  // PingProcess hands over each line as iputils prints it (src/probes/ping.ts): the header and the first reply at the start, after what the shell prints then.
  it("a background ping sends while the shell sleeps: its lines come as it prints them, its record holds all of it", async () => {
    const result = await run(["ip netns add a", "ip -n a link set lo up", "ip netns exec a ping -c 3 127.0.0.1 &", "echo started", "sleep 1", "echo slept", "wait $!; echo \"ping=$?\""]);
    expect(result.problems).toEqual([]);
    const lines = result.output.split("\n");
    expect(lines.slice(0, 4)).toEqual(["started", "PING 127.0.0.1 (127.0.0.1) 56(84) bytes of data.", expect.stringContaining("icmp_seq=1 "), "slept"]);
    expect(lines.findIndex((line) => line.includes("icmp_seq=3"))).toBeLessThan(lines.indexOf("ping=0"));
    expect(result.output).toContain("3 packets transmitted, 3 received");
    expect(result.output).toContain("ping=0\n");
    const ping = result.commands.find((record) => record.argv[0] === "ping")!;
    expect(ping.probe?.outcome).toBe("reply");
    expect(ping.stdout).toContain("3 packets transmitted");
  });

  it("sleep N & ends N seconds on: wait lets that time pass; a redirected job shows nothing later", async () => {
    const result = await run(["ip netns add a", "ip -n a link set lo up", "sleep 5 &", "s=$!", "ip netns exec a ping -c 2 127.0.0.1 > /dev/null &", "wait $s; echo \"sleep=$?\"", "wait", "jobs | wc -l"]);
    expect(result.output).toBe("sleep=0\n0\n");
    expect(result.world.clock).toBeGreaterThanOrEqual(5_000_000);
  });

  it("kill and wait say what bash says for a job that is not there", async () => {
    const result = await run(["kill %7; echo \"k=$?\"", "kill 999999; echo \"k=$?\"", "wait 12345; echo \"w=$?\""]);
    expect(result.output).toBe("/s/main.sh: line 1: kill: %7: no such job\nk=1\n/s/main.sh: line 2: kill: (999999) - No such process\nk=1\n/s/main.sh: line 3: wait: pid 12345 is not a child of this shell\nw=127\n");
  });

  it("refuses a job that is a pipeline, and a wait for a listener that never exits", async () => {
    const compound = await run(["ip netns add a", "sleep 1 | ip netns del a &", "echo after"]);
    expect(compound.problems).toEqual([expect.objectContaining({ word: "&", location: { file: expect.stringMatching(/main\.sh$/), line: 2 } })]);
    const forever = await run([...LISTENER, "wait", "echo never"]);
    expect(forever.problems.map((problem) => problem.message)).toEqual([expect.stringContaining("main.sh:5: netsim: the scenario ran a wait for a job that never exits")]);
    expect(forever.output).not.toContain("never");
  });

  // A job that is a shell of its own (bash -c, sh -c, ( ), { }): it takes turns with the main shell on the virtual clock.
  // Expected text: this script under /bin/bash 5.2 (4 runs, the same every time; the times are 0.1 s or more apart).
  it("runs bash -c, sh -c, ( ) and { } jobs alongside the shell: $!, jobs, wait, kill as bash does", async () => {
    const result = await run([
      "bash -c 'sleep 0.2; echo inner' &",
      '[ -n "$!" ] && echo "pid given"',
      "( sleep 0.4; echo sub; exit 3 ) &",
      "{ sleep 0.6; echo grp; } &",
      "sleep 0.1",
      "jobs",
      'wait %1; echo "w1=$?"',
      "sleep 0.1",
      "echo mid",
      "wait $!",
      'echo "w3=$?"',
      "jobs",
      "sh -c 'sleep 5; echo never' &",
      "kill $!",
      'wait $!; echo "k=$?"',
      'f() { echo "f $1"; }',
      "v=local",
      '( sleep 0.1; f "$v" ) &',
      "wait",
      "echo end",
    ]);
    expect(result.problems).toEqual([]);
    expect(result.output).toBe(
      "pid given\n[1]   Running                 bash -c 'sleep 0.2; echo inner' &\n[2]-  Running                 ( sleep 0.4; echo sub; exit 3 ) &\n[3]+  Running                 { sleep 0.6; echo grp; } &\ninner\nw1=0\nmid\nsub\ngrp\nw3=0\n[2]   Exit 3                  ( sleep 0.4; echo sub; exit 3 )\nk=143\nf local\nend\n",
    );
  });

  it("a job that is a shell of its own acts on the network at its own time, in the namespace it was started in", async () => {
    const result = await run([
      "ip netns add a",
      "ip netns exec a bash -c 'sleep 0.5; ip link add d0 type dummy' &",
      "( sleep 1; ip -n a link add d1 type dummy ) &",
      "ip -n a -br link | wc -l",
      "sleep 0.7",
      "ip -n a -br link | wc -l",
      "wait",
      "ip -n a -br link | wc -l",
      "ip -br link | grep -c ^d || true",
    ]);
    expect(result.problems).toEqual([]);
    expect(result.output).toBe("1\n2\n3\n0\n");
    expect(result.commands.filter((record) => record.argv.includes("dummy")).map((record) => record.location.line)).toEqual([2, 3]);
  });

  // Expected text: the same lines in the kernel sandbox (netcat-openbsd 1.219): nc -l prints what it receives and ends
  // when its one connection closes (the client's -q1 and -N both shut the write side down at stdin's EOF); -lk goes on.
  it("nc -l prints what a connection brings; nc -q N and -N send stdin and end; a transfer with neither is refused", async () => {
    const result = await run([
      "ip link set lo up",
      "nc -l 8080 > got.txt &",
      "l=$!",
      "sleep 0.3",
      'echo hello | nc -q1 127.0.0.1 8080; echo "client rc=$?"',
      'wait $l; echo "listener rc=$?"',
      "cat got.txt",
      "nc -lk 8082 > got3.txt &",
      "sleep 0.3",
      "echo first | nc -N 127.0.0.1 8082",
      "echo second | nc -q0 127.0.0.1 8082",
      "cat got3.txt",
      "echo plain | nc 127.0.0.1 8082",
    ]);
    expect(result.output).toContain("client rc=0\nlistener rc=0\nhello\nfirst\nsecond\n");
    expect(result.problems).toEqual([expect.objectContaining({ word: "nc", location: { file: expect.stringMatching(/main\.sh$/), line: 13 } })]);
  });

  it("refuses a job whose sleep ends while a foreground command lets time pass in one go", async () => {
    const result = await run(["ip netns add a", "ip -n a link set lo up", "( sleep 0.5; echo late ) &", "ip netns exec a ping -c 2 127.0.0.1 > /dev/null", "echo after"]);
    expect(result.problems).toEqual([expect.objectContaining({ word: "&", location: { file: expect.stringMatching(/main\.sh$/), line: 4 } })]);
    expect(result.output).not.toContain("after");
  });
});
