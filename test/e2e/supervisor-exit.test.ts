// Issue 12 item 4 against the real `bun run node`: when the root supervisor gives up, the master stops
// and exits 1 within the shutdown deadline (so a service manager restarts it) instead of living on
// with /health 200. The failure is a real one: a stored consensus proposal that no longer decodes,
// which fails the global-consensus actor on every start (permanent), so its supervisor gives up.
import { afterAll, expect, test } from "bun:test"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect } from "effect"
import { openStore, storePath } from "../../runtime/store/index.ts"
import { consensusRows, proposalKey } from "../../actors/consensus/global/persistence.ts"
import { ANY_PORT, exitOf, spawnNode, type RunningNode } from "./node-process.ts"

const dataDir = mkdtempSync(join(tmpdir(), "quilbun-giveup-"))
const spawned: Array<RunningNode> = []
afterAll(() => {
  for (const n of spawned) n.proc.kill("SIGKILL")
  rmSync(dataDir, { recursive: true, force: true })
})

test("root supervisor gives up → exit 1 within the shutdown deadline, naming why", async () => {
  const store = await Effect.runPromise(openStore({ path: storePath(dataDir, "master") }))
  await Effect.runPromise(
    store.commit((tx) => store.repository(consensusRows).put(tx, proposalKey(1n, new Uint8Array(32)), Uint8Array.of(0xff, 0xff, 0xff, 0xff))),
  )
  await store.close()

  const deadlineMs = 3000
  const node = spawnNode(dataDir, ANY_PORT, ["--workers", "1", "--set", "engine.difficulty=100", "--set", `shutdown.deadlineMs=${deadlineMs}`])
  spawned.push(node)
  const exit = await exitOf(node, 60_000)
  expect({ code: exit.code, signal: exit.signal }).toEqual({ code: 1, signal: null })
  const lines = exit.output.split("\n")
  const gaveUp = lines.find((l) => l.includes("root supervisor gave up"))
  expect(gaveUp).toBeDefined()
  expect(gaveUp).toContain("/root/global-consensus")
  expect(exit.output).toContain("node: stopped: node gave up: /root/global-consensus")
  // From the give-up line to the exit: the orderly stop, bounded by the deadline.
  const at = Date.parse((JSON.parse(gaveUp ?? "{}") as { time?: string }).time ?? "")
  expect(Date.now() - at).toBeLessThan(deadlineMs + 2000)
  expect(exit.output).toContain("node stopped")
}, 70_000)
