// Issue 12 item 3 against the real `bun run node`: a damaged LMDB store is refused with
// `store <path> is damaged: <reason>` and exit 1, never a signal (before: truncation → Bun panic with a
// Bus error, header garbage → exit 139). One real store is produced once and copied per case. (A
// 0-byte store is the chain marker's case: chain-marker.test.ts.)
import { beforeAll, describe, expect, test } from "bun:test"
import { closeSync, cpSync, openSync, statSync, truncateSync, writeSync } from "node:fs"
import { join } from "node:path"
import { exitOf, getJson, logLines, pollUntil, processFixture, runBriefly, type RunningNode } from "./node-process.ts"

const { tempDir, spawn } = processFixture("quilbun-damaged-")
const base = tempDir()
const original = join(base, "original")

const PAGE = 4096
let n = 0
const copy = (): string => {
  const dir = join(base, `case-${++n}`)
  cpSync(original, dir, { recursive: true })
  return dir
}
const start = (dir: string): RunningNode => spawn(dir, ["--workers", "1", "--set", "engine.difficulty=100", "--set", "shutdown.deadlineMs=3000"])
/** 64 bytes of a fixed pseudo-random pattern (reproducible failures) at `offset`. */
const scribble = (file: string, offset: number, seed: number): void => {
  const bytes = Buffer.alloc(64)
  let x = seed
  for (let i = 0; i < bytes.length; i++) {
    x = (x * 1103515245 + 12345) >>> 0
    bytes[i] = x >>> 24
  }
  const fd = openSync(file, "r+")
  writeSync(fd, bytes, 0, bytes.length, offset)
  closeSync(fd)
}

const expectRefused = async (dir: string, store: string) => {
  const exit = await exitOf(start(dir), 30_000)
  expect({ code: exit.code, signal: exit.signal }).toEqual({ code: 1, signal: null })
  expect(exit.output).toContain(`store ${join(dir, store)} is damaged: `)
  expect(exit.output).not.toContain("Bun has crashed")
  return exit.output
}

beforeAll(async () => {
  await runBriefly(original)
}, 100_000)

describe("damaged master store (exit 1, never a signal)", () => {
  const masterFile = (dir: string) => join(dir, "master", "data.mdb")

  for (const [name, size] of [
    ["4096 bytes", () => PAGE],
    ["8192 bytes", () => 2 * PAGE],
    ["half the file", (full: number) => Math.floor(full / 2 / PAGE) * PAGE],
    ["the file minus one page", (full: number) => full - PAGE],
  ] as const) {
    test(`truncated to ${name}`, async () => {
      const dir = copy()
      const file = masterFile(dir)
      truncateSync(file, size(statSync(file).size))
      const out = await expectRefused(dir, "master")
      expect(out).toMatch(/shorter than|records \d+ pages/)
    }, 40_000)
  }

  for (const [name, offset] of [
    ["meta page 0 header", 0],
    ["meta page 0 fields", 24],
    ["meta page 1 header", PAGE],
    ["meta page 1 fields", PAGE + 24],
  ] as const) {
    test(`64 random bytes over ${name}`, async () => {
      const dir = copy()
      scribble(masterFile(dir), offset, offset + 1)
      await expectRefused(dir, "master")
    }, 40_000)
  }

  // Data pages: the requirement is no death by signal. Either the open check or LMDB refuses the
  // store (exit 1 naming it), or the damaged page is never read and the node starts and stops
  // cleanly (exit 0 on SIGTERM), or a read of it fails an actor until the node gives up (exit 1,
  // item 4, the reason names the store). A spread of pages is tried, each at a seeded offset.
  test("64 random bytes over each data page: refused, or a clean start, never a signal", async () => {
    const full = statSync(masterFile(original)).size
    const pages = full / PAGE
    const outcomes: Record<string, number> = {}
    // A spread of pages, including the first data pages (tree roots) and the last one.
    const chosen = [...new Set([2, 3, Math.floor(pages / 2), pages - 1])].filter((p) => p >= 2 && p < pages)
    for (const page of chosen) {
      const dir = copy()
      scribble(masterFile(dir), page * PAGE + 24 + ((page * 97) % (PAGE - 100)), page)
      const node = start(dir)
      // Up and answering for a moment, or gone on its own.
      const up = await pollUntil(`page ${page}: /health or exit`, 30_000, async () => {
        if (node.proc.exitCode !== null || node.proc.signalCode !== null) return "exited"
        const res = await fetch(`${node.url}/health`).catch(() => undefined)
        return res === undefined ? undefined : "up"
      })
      if (up === "up") {
        await Bun.sleep(1_000)
        node.proc.kill("SIGTERM")
      }
      const exit = await exitOf(node, 30_000)
      expect({ page, signal: exit.signal }).toEqual({ page, signal: null })
      expect({ page, code: exit.code === 0 || exit.code === 1 }).toEqual({ page, code: true })
      if (exit.code === 1) expect(exit.output).toContain(join(dir, "master"))
      const outcome = exit.code === 0 ? "clean start" : exit.output.includes("is damaged") ? "refused at open" : "refused when read"
      outcomes[outcome] = (outcomes[outcome] ?? 0) + 1
    }
    // Which outcome each page had is data, not a requirement; printed for the record.
    console.log(`data-page damage outcomes over ${chosen.length} pages: ${JSON.stringify(outcomes)}`)
  }, 400_000)
})

describe("damaged worker store", () => {
  test("worker-1 truncated: the worker exits 1 naming its store, the master reports it and stays up", async () => {
    const dir = copy()
    truncateSync(join(dir, "worker-1", "data.mdb"), 2 * PAGE)
    const node = start(dir)
    await pollUntil("the worker's refusal in the log", 30_000, () =>
      node.output().includes(`store ${join(dir, "worker-1")} is damaged: `) && node.output().includes("data worker exited") ? true : undefined,
    )
    // The worker fails before the admin API is up (the master starts its workers first).
    const ready = await pollUntil("the admin API", 30_000, () => fetch(`${node.url}/ready`).catch(() => undefined))
    expect(ready.status).toBe(503)
    const workers = await getJson<ReadonlyArray<{ readonly state: string }>>(`${node.url}/v1/workers`)
    expect(workers[0]?.state).not.toBe("running")
    node.proc.kill("SIGTERM")
    const exit = await exitOf(node, 30_000)
    expect(exit.signal).toBeNull()
    // The worker's exit was a clean exit 1, not a signal.
    expect(exit.output).toMatch(/"message":"data worker exited"[^\n]*"exitCode":1[^\n]*"signal":"-"/)
    expect(exit.output).not.toContain("Bun has crashed")
    // Each error is logged once, with a message: no bare `ERROR core=1` line from the runtime's own report.
    const errors = logLines(exit.output).filter((l) => l.level === "error" || l.level === "fatal")
    // ... and as one line with its reason (no stack trace of a typed failure).
    const failed = errors.find((l) => typeof l.message === "string" && l.message.startsWith("worker failed to start: "))
    expect(failed?.message).toContain(`store ${join(dir, "worker-1")} is damaged: `)
    expect(failed?.cause).toBeUndefined()
    expect(errors.filter((l) => typeof l.message !== "string" || l.message.trim() === "")).toEqual([])
  }, 60_000)
})
