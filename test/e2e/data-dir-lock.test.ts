// One master per data dir (issue 12, item 1), against the real `bun run node` process: a second
// node is refused before it binds or touches the store, the owner keeps its admin-api.url, the
// lock goes with a clean stop, a lock left by kill -9 (or naming a pid that is not a master) is
// taken over, two simultaneous first starts have exactly one winner, and the embedding API
// honours the same lock.
import { describe, expect, test } from "bun:test"
import { existsSync, readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { startNode } from "quilbun/embed"
import { logLines, processFixture, waitHealthy } from "./node-process.ts"

const { tempDir, spawn } = processFixture("quilbun-lock-")
const start = (dataDir: string) => spawn(dataDir, ["--workers", "1"])
const refused = (dataDir: string, pid: number) => `data dir ${dataDir} is in use by pid ${pid}\n`

describe("data dir lock (real process)", () => {
  test("a second node exits 1 before binding; the owner keeps admin-api.url; embed is refused too; a clean stop releases", async () => {
    const dataDir = tempDir()
    const owner = start(dataDir)
    await waitHealthy(owner)
    const urlFile = join(dataDir, "admin-api.url")
    expect(readFileSync(urlFile, "utf8").trim()).toBe(owner.url)

    const second = start(dataDir)
    expect(await second.proc.exited).toBe(1)
    // Its whole output is the refusal (no "listening" line: it never bound), and nothing of the owner's is removed.
    expect(second.output()).toBe(refused(dataDir, owner.proc.pid))
    expect(readFileSync(urlFile, "utf8").trim()).toBe(owner.url)
    expect((await fetch(`${owner.url}/health`)).ok).toBe(true)

    await expect(startNode({ dataDir, workers: 1 })).rejects.toThrow(`data dir ${dataDir} is in use by pid ${owner.proc.pid}`)

    owner.proc.kill("SIGTERM")
    expect(await owner.proc.exited).toBe(0)
    expect(existsSync(join(dataDir, "node.lock"))).toBe(false)
    expect(existsSync(urlFile)).toBe(false)
  }, 40_000)

  test("a lock left by kill -9, or naming a live pid that is not a master, is taken over", async () => {
    const dataDir = tempDir()
    const killed = start(dataDir)
    await waitHealthy(killed)
    killed.proc.kill("SIGKILL")
    await killed.proc.exited
    expect(readFileSync(join(dataDir, "node.lock"), "utf8")).toContain(`"pid":${killed.proc.pid}`)

    const next = start(dataDir)
    await waitHealthy(next)
    const takeOver = logLines(next.output()).find((l) => String(l.message).startsWith("took over the data dir lock"))
    expect(takeOver).toMatchObject({ level: "warn", previousPid: killed.proc.pid })
    next.proc.kill("SIGTERM")
    expect(await next.proc.exited).toBe(0)

    // This test process is alive but holds no lock: a reused pid, not a quilbun master.
    writeFileSync(join(dataDir, "node.lock"), `${JSON.stringify({ pid: process.pid, startedAt: "2020-01-01T00:00:00.000Z" })}\n`)
    const third = start(dataDir)
    await waitHealthy(third)
    expect(logLines(third.output()).find((l) => String(l.message).startsWith("took over the data dir lock"))).toMatchObject({
      previousPid: process.pid,
      message: "took over the data dir lock: its pid is alive but is not a quilbun master holding it",
    })
    third.proc.kill("SIGTERM")
    expect(await third.proc.exited).toBe(0)
  }, 60_000)

  test("two first starts at once on a fresh data dir: exactly one wins", async () => {
    const dataDir = join(tempDir(), "fresh")
    const a = start(dataDir)
    const b = start(dataDir)
    const [loser, winner] = await Promise.race([a.proc.exited.then(() => [a, b] as const), b.proc.exited.then(() => [b, a] as const)])
    expect(await loser.proc.exited).toBe(1)
    expect(loser.output()).toBe(refused(dataDir, winner.proc.pid))
    await waitHealthy(winner)
    winner.proc.kill("SIGTERM")
    expect(await winner.proc.exited).toBe(0)
  }, 40_000)
})
