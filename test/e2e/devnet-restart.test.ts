// A real `bun run devnet --nodes 3` started again on its data dirs must commit again: the stalled
// base dir from the restart-liveness report (every node had stored a timeout for the same rank; before
// the fix no start on it ever committed another frame), and a fresh devnet stopped with SIGTERM and
// started again. The stalled dir is also the store-format-1 data dir an upgrading operator has: it is
// migrated on the first start. "Commit again" means every node's head passes where it was, within 30 s of the APIs
// answering.
import { afterAll, expect, test } from "bun:test"
import { mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { spawnDevnet, stopAllAfter, type Head, type RunningDevnet } from "./devnet-process.ts"
import { pollUntil, repoRoot } from "./node-process.ts"

const NODES = 3
const RESUME_MS = 30_000

const base = mkdtempSync(join(tmpdir(), "quilbun-it-devnet-restart-"))
const running: Array<RunningDevnet> = []
afterAll(async () => {
  await stopAllAfter(running)
  rmSync(base, { recursive: true, force: true })
})

const start = (dir: string, args: ReadonlyArray<string> = []): RunningDevnet => {
  const d = spawnDevnet(NODES, dir, args)
  running.push(d)
  return d
}

/** Every head strictly above `above` (per node, in node order) within the window. */
const advancesPast = (d: RunningDevnet, above: ReadonlyArray<number>, what: string): Promise<ReadonlyArray<Head>> =>
  pollUntil(what, RESUME_MS, async () => {
    const hs = await d.heads()
    return hs.every((h, i) => h.frameNumber > (above[i] ?? 0)) ? hs : undefined
  })

const nodeLogs = (dir: string): string =>
  Array.from({ length: NODES }, (_, i) => {
    try {
      return readFileSync(join(dir, `node-${i}`, "node.log"), "utf8")
    } catch {
      return ""
    }
  }).join("\n")

test("the stalled devnet of the restart-liveness report commits again within 30 s", async () => {
  const dir = join(base, "repro")
  const extract = Bun.spawnSync({ cmd: ["tar", "-xzf", join(repoRoot, "test/fixtures/devnet-stalled.tar.gz"), "-C", base] })
  expect(extract.exitCode).toBe(0)
  rmSync(dir, { recursive: true, force: true })
  Bun.spawnSync({ cmd: ["mv", join(base, "devnet-stalled"), dir] })
  const d = start(dir)
  await d.ready()
  const before = await d.heads()
  expect(before.map((h) => h.frameNumber)).toEqual([2, 2, 2])
  const after = await advancesPast(
    d,
    before.map((h) => h.frameNumber),
    "every head past frame 2",
  )
  expect(after.every((h) => h.frameNumber >= 3)).toBe(true)
  expect(await d.stop()).toBe(0)
  // The dir was written by store format 1: every node migrated it on the first start, keeping its chain.
  const migrated = nodeLogs(dir).match(/format 1 → 2: the committed global chain is stored once: 2 frame bodies dropped/g) ?? []
  expect(migrated.length).toBe(NODES)
  // The ranks that ended without a commit were explained in the logs.
  expect(nodeLogs(dir)).toMatch(/rank \d+ timed out: leader [0-9a-f]+, votes \d+\/3, timeouts \d+\/3, reason /)
}, 120_000)

test("a fresh devnet stopped with SIGTERM and started again on its dirs advances again within 30 s", async () => {
  const dir = join(base, "fresh")
  const args = ["--set", "engine.difficulty=2000"]
  const first = start(dir, args)
  const startedAt = Date.now()
  await first.ready()
  await advancesPast(first, [0, 0, 0], "the first frame on every node")
  console.log(`devnet: first frame on every node ${((Date.now() - startedAt) / 1000).toFixed(1)} s after launch`)
  const reached = await advancesPast(first, [2, 2, 2], "every head past frame 2")
  expect(await first.stop()).toBe(0)

  const second = start(dir, args)
  await second.ready()
  const resumed = await second.heads()
  // Nothing committed is lost across the stop.
  resumed.forEach((h, i) => expect(h.frameNumber).toBeGreaterThanOrEqual(reached[i]?.frameNumber ?? 0))
  await advancesPast(
    second,
    resumed.map((h) => h.frameNumber),
    "every head past where it restarted",
  )
  expect(await second.stop()).toBe(0)
}, 150_000)
