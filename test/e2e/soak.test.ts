// The soak as CI runs it: `bun run soak` for one minute of faults on a 4-node loopback devnet with a
// fixed seed (kills of workers and nodes, stalls, restarts during sync, while writes are submitted),
// then its checks. It must exit 0 with its one summary line: nothing acknowledged lost, nothing applied
// twice, one chain, no orphan process. A long soak is run by hand (README, "Soak").
import { expect, test } from "bun:test"
import { join } from "node:path"
import { repoRoot } from "./node-process.ts"

const SEED = 20261207
const LINE = /^soak minutes=1 seed=20261207 kills=(\d+) stalls=(\d+) frames=(\d+) submitted=(\d+) committed=(\d+) lost=0 duplicated=0 forks=0 orphans=0$/

test("a one-minute soak with a fixed seed loses nothing, applies nothing twice, keeps one chain and leaves no process", async () => {
  const proc = Bun.spawn({
    cmd: [process.execPath, join(repoRoot, "runtime/cli/soak/main.ts"), "--minutes", "1", "--nodes", "4", "--seed", String(SEED)],
    cwd: repoRoot,
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  })
  const [out, err, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited])
  const lines = out.trim().split("\n")
  // The line in the CI log; the faults and any finding too when it failed.
  console.log(code === 0 && lines.length === 1 ? lines[0] : err)
  const m = LINE.exec(lines[0] ?? "")
  // The failure itself carries the soak's output, so the JUnit report says what went wrong.
  if (code !== 0 || lines.length !== 1 || m === null) throw new Error(`soak exited ${code}; stdout:\n${out.slice(-1500)}\nstderr (tail):\n${err.slice(-3000)}`)
  const [kills, stalls, frames, submitted, committed] = (m ?? []).slice(1).map(Number)
  // The seed's schedule does fault the devnet, and the devnet still did work through it.
  expect((kills ?? 0) + (stalls ?? 0)).toBeGreaterThan(0)
  expect(frames).toBeGreaterThan(0)
  expect(committed).toBeGreaterThan(0)
  expect(committed).toBeLessThanOrEqual(submitted ?? 0)
}, 600_000)
