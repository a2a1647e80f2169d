// curl, wget, socat and python3 -m http.server on the socket layer, against
// the texts measured on the kernel (test/fixtures/http-tools/kernel-*.txt,
// from measure-*.sh in the sandbox: curl 7.88.1, Python 3.11.7, socat, wget).
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { recordOf, simulate } from "../support/simulate.js";

const FIXTURES = new URL("../fixtures/http-tools/", import.meta.url);
const kernel = readFileSync(new URL("kernel-1.txt", FIXTURES), "utf8") + readFileSync(new URL("kernel-2.txt", FIXTURES), "utf8");

/** Two containers on a bridge, as measure-1.sh sets them up (c1 172.18.0.11 serves, c2 172.18.0.12 asks). */
const BRIDGE = `
ip netns add c1
ip netns add c2
ip link add br0 type bridge
ip link set br0 up
ip addr add 172.18.0.1/16 dev br0
for n in 1 2; do
  ip link add veth$n type veth peer name ceth$n
  ip link set ceth$n netns c$n
  ip link set veth$n master br0
  ip link set veth$n up
  ip -n c$n link set lo up
  ip -n c$n addr add 172.18.0.1$n/16 dev ceth$n
  ip -n c$n link set ceth$n up
  ip -n c$n route add default via 172.18.0.1
done
ip netns exec c1 python3 -m http.server 8000 &
ip netns exec c1 nc -lk 7001 &
ip netns exec c1 iptables -A INPUT -p tcp --dport 8001 -j DROP
sleep 1
`;

async function run(command: string) {
  const result = await simulate(`${BRIDGE}${command}\n`);
  expect(result.problems).toEqual([]);
  return recordOf(result, command.replace(/^ip netns exec \S+ /, "").replace(/ >.*$/, "").replaceAll("'", ""));
}

describe("curl", () => {
  it.each([
    ["http.server answers 200 (-w)", "ip netns exec c2 curl -s -o /dev/null -w '%{http_code}\\n' http://172.18.0.11:8000/", 0, "200\n", "", "connected"],
    ["404 for a path the model has no file for", "ip netns exec c2 curl -s -o /dev/null -w '%{http_code}\\n' http://172.18.0.11:8000/nosuch", 0, "404\n", "", "connected"],
    ["-fsS on a 404", "ip netns exec c2 curl -fsS http://172.18.0.11:8000/nosuch", 22, "", "curl: (22) The requested URL returned error: 404\n", "connected"],
    ["-f -s on a 404 says nothing", "ip netns exec c2 curl -sf http://172.18.0.11:8000/nosuch", 22, "", "", "connected"],
    ["refused, -sS", "ip netns exec c2 curl -sS http://172.18.0.11:9/", 7, "", "curl: (7) Failed to connect to 172.18.0.11 port 9 after 0 ms: Couldn't connect to server\n", "refused"],
    ["refused, -s", "ip netns exec c2 curl -s http://172.18.0.11:9/", 7, "", "", "refused"],
    ["refused, -w", "ip netns exec c2 curl -s -w '%{http_code}\\n' http://172.18.0.11:9/", 7, "000\n", "", "refused"],
    ["a listener that never answers: -m runs out", "ip netns exec c2 curl -sS -m 2 http://172.18.0.11:7001/", 28, "", "curl: (28) Operation timed out after 2000 milliseconds with 0 bytes received\n", "timeout"],
    ["a dropped SYN, --connect-timeout", "ip netns exec c2 curl -sS --connect-timeout 1 http://172.18.0.11:8001/", 28, "", "curl: (28) Failed to connect to 172.18.0.11 port 8001 after 1000 ms: Timeout was reached\n", "timeout"],
    ["a dropped SYN, -w --connect-timeout", "ip netns exec c2 curl -s -w '%{http_code}\\n' --connect-timeout 1 http://172.18.0.11:8001/", 28, "000\n", "", "timeout"],
    ["a bad URL", "curl http://", 3, "", "curl: (3) URL using bad/illegal format or missing URL\n", undefined],
    ["a host name: no resolver answers", "ip netns exec c2 curl -sS -m 2 http://nosuchhost/", 28, "", "curl: (28) Resolving timed out after 2000 milliseconds\n", "timeout"],
  ])("%s", async (_name, command, exitCode, stdout, stderr, outcome) => {
    const record = await run(command);
    expect(record.exitCode).toBe(exitCode);
    expect(record.stdout).toBe(stdout);
    expect(record.stderr).toBe(stderr);
    expect(record.probe?.outcome).toBe(outcome);
    // The same text on the kernel.
    if (stderr !== "") expect(kernel).toContain(stderr.trimEnd());
  });

  it("prints the progress meter the kernel run printed, with -v's lines inside it", async () => {
    const record = await run("ip netns exec c2 curl -v http://172.18.0.11:9/");
    const measured = /=== refused[\s\S]*?--- curl -v\n([\s\S]*?)rc=7/.exec(readFileSync(new URL("kernel-1.txt", FIXTURES), "utf8"))![1]!;
    // Byte for byte, the meter's carriage returns included.
    expect(record.stderr).toBe(measured);
  });

  it("-I prints the head http.server sends, its Date from the virtual clock; Content-Length is not modelled", async () => {
    const record = await run("ip netns exec c2 curl -sI http://172.18.0.11:8000/");
    expect(record.stdout).toMatch(/^HTTP\/1\.0 200 OK\r\nServer: SimpleHTTP\/0\.6 Python\/3\.11\.7\r\nDate: \w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} GMT\r\nContent-type: text\/html; charset=utf-8\r\n\r\n$/);
  });

  it("the kernel giving up on the SYN (127 s) is curl's exit 28, Couldn't connect", async () => {
    const record = await run("ip netns exec c2 curl -sS http://172.18.0.11:8001/");
    expect(record.exitCode).toBe(28);
    expect(record.stderr).toBe("curl: (28) Failed to connect to 172.18.0.11 port 8001 after 127000 ms: Couldn't connect to server\n");
    expect(kernel).toContain("Couldn't connect to server\nrc=28");
  });

  it("refuses options it does not model by name", async () => {
    const result = await simulate(`${BRIDGE}curl -X POST http://172.18.0.11:8000/\n`);
    expect(result.problems.map((problem) => problem.word)).toEqual(["-X"]);
  });
});

describe("wget, socat and the servers", () => {
  it.each([
    ["wget -q: 200", "ip netns exec c2 wget -q -O- -T 2 http://172.18.0.11:8000/", 0, "", "connected"],
    ["wget -q: 404 is exit 8", "ip netns exec c2 wget -q -O- -T 2 http://172.18.0.11:8000/nosuch", 8, "", "connected"],
    ["wget -q: refused is exit 4", "ip netns exec c2 wget -q -O- -T 2 http://172.18.0.11:9/", 4, "", "refused"],
    ["wget: timed out", "ip netns exec c2 wget -O- -T 1 -t 1 http://172.18.0.11:8001/", 4, "failed: Connection timed out.\nGiving up.\n\n", "timeout"],
    ["socat to an echo server", "echo hello | ip netns exec c2 socat - TCP:172.18.0.11:9000", 0, "", "connected"],
  ])("%s", async (_name, command, exitCode, stderrEnd, outcome) => {
    const result = await simulate(`${BRIDGE}ip netns exec c1 socat TCP-LISTEN:9000,fork,reuseaddr EXEC:/bin/cat &\n${command}\n`);
    expect(result.problems).toEqual([]);
    const record = recordOf(result, command.replace(/^.*ip netns exec \S+ /, ""));
    expect(record.exitCode).toBe(exitCode);
    expect(record.stderr.endsWith(stderrEnd)).toBe(true);
    expect(record.probe?.outcome).toBe(outcome);
  });

  it("socat echoes what it was given", async () => {
    const result = await simulate(`${BRIDGE}ip netns exec c1 socat TCP-LISTEN:9000,fork,reuseaddr EXEC:/bin/cat &\necho hello | ip netns exec c2 socat - TCP:172.18.0.11:9000\n`);
    expect(recordOf(result, "socat - TCP:172.18.0.11:9000").stdout).toBe("hello\n");
  });

  it("socat refused prints its dated E line, as the kernel run did", async () => {
    const result = await simulate(`${BRIDGE}ip netns exec c2 socat - TCP:172.18.0.11:9\n`);
    const record = recordOf(result, "socat - TCP:172.18.0.11:9");
    expect(record.exitCode).toBe(1);
    expect(record.stderr).toMatch(/^\d{4}\/\d{2}\/\d{2} \d{2}:\d{2}:\d{2} socat\[\d+\] E connect\(5, AF=2 172\.18\.0\.11:9, 16\): Connection refused\n$/);
    expect(kernel).toMatch(/socat\[\d+\] E connect\(5, AF=2 172\.18\.0\.11:9, 16\): Connection refused/);
  });

  it("curl against socat's echo gets its own request back: HTTP/0.9, exit 1", async () => {
    const result = await simulate(`${BRIDGE}ip netns exec c1 socat TCP-LISTEN:9000,fork,reuseaddr EXEC:/bin/cat &\nip netns exec c2 curl -sS -m 2 http://172.18.0.11:9000/\n`);
    const record = recordOf(result, "curl -sS -m 2 http://172.18.0.11:9000/");
    expect(record.stderr).toBe("curl: (1) Received HTTP/0.9 when not allowed\n");
    expect(kernel).toContain(record.stderr.trimEnd());
  });

  it("a second http.server on a port in use fails as Python does", async () => {
    const result = await simulate(`${BRIDGE}ip netns exec c1 python3 -m http.server 8000\n`);
    const record = recordOf(result, "python3 -m http.server 8000");
    expect(record.exitCode).toBe(1);
    expect(record.stderr).toBe("OSError: [Errno 98] Address already in use\n");
    expect(kernel).toContain("OSError: [Errno 98] Address already in use\nrc=1");
  });
});
