// Builds the `netsim` command once before the suite: the CLI tests run the
// compiled command a user gets from `npm ci`, not the TypeScript sources.
import { execFileSync } from "node:child_process";
import { join } from "node:path";

export default function buildOnce(): void {
  execFileSync("npm", ["run", "--silent", "build"], { cwd: join(import.meta.dirname, ".."), stdio: "inherit" });
}
