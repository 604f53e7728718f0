// The real `bun run node` as a single-prover devnet: frames are produced and committed continuously,
// served by /v1/frames/global/head and /v1/frames/global/<n>, exposed as metrics, persisted across a
// restart, and SIGTERM stays clean with a VDF solve in flight. A small difficulty keeps it fast.
import { afterAll, describe, expect, test } from "bun:test"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { lintExposition } from "../unit/runtime/kernel/metrics/prometheus-lint.ts"
import { ANY_PORT, getJson, logLines, pollUntil, spawnNode, type RunningNode } from "./node-process.ts"

interface Head {
  readonly frameNumber: number
  readonly rank: number
  readonly selector: string
  readonly timestamp: number
}

interface Frame extends Head {
  readonly difficulty: number
  readonly parentSelector: string
  readonly output: string
  readonly prover: string
  readonly quorumCertificate: { readonly frameNumber: number; readonly selector: string }
}

const DIFFICULTY = 2_000
const dirs: Array<string> = []
const spawned: Array<RunningNode> = []
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), "quilbun-it-consensus-"))
  dirs.push(d)
  return d
}
afterAll(() => {
  for (const n of spawned) n.proc.kill("SIGKILL")
  for (const d of dirs) rmSync(d, { recursive: true, force: true })
})

const start = (dataDir: string, difficulty: number) => {
  const node = spawnNode(dataDir, ANY_PORT, ["--workers", "1", "--set", `engine.difficulty=${difficulty}`])
  spawned.push(node)
  return node
}

const head = (node: RunningNode) => getJson<Head>(`${node.url}/v1/frames/global/head`)

const headAtLeast = (node: RunningNode, n: number, ms: number) =>
  pollUntil(`head frame ≥ ${n}`, ms, async () => {
    const h = await head(node)
    return h.frameNumber >= n ? h : undefined
  })

const stop = async (node: RunningNode) => {
  node.proc.kill("SIGTERM")
  return { code: await node.proc.exited }
}

const metricValue = (text: string, name: string): number | undefined => {
  const line = text.split("\n").find((l) => l.startsWith(`${name}{`) && l.includes('core="0"'))
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(" ") + 1))
}

describe("bun run node: single-prover devnet", () => {
  const dataDir = tempDir()
  let lastSeen = 0

  test("commits frames continuously; head, frame and metrics agree", async () => {
    const node = start(dataDir, DIFFICULTY)
    const first = await pollUntil("/v1/frames/global/head", 15_000, () => head(node))
    const later = await headAtLeast(node, first.frameNumber + 3, 20_000)
    expect(later.selector).toMatch(/^[0-9a-f]{64}$/)
    expect(later.rank).toBeGreaterThanOrEqual(later.frameNumber)

    // The head's frame, fetched by number, is the same frame.
    const frame = await getJson<Frame>(`${node.url}/v1/frames/global/${later.frameNumber}`)
    expect(frame.frameNumber).toBe(later.frameNumber)
    expect(frame.selector).toBe(later.selector)
    expect(frame.timestamp).toBe(later.timestamp)
    expect(frame.rank).toBe(later.rank)
    expect(frame.difficulty).toBe(DIFFICULTY)
    expect(frame.output).toHaveLength(516 * 2)
    expect(frame.quorumCertificate).toMatchObject({ frameNumber: later.frameNumber, selector: later.selector })
    // It links to its parent.
    const parent = await getJson<Frame>(`${node.url}/v1/frames/global/${later.frameNumber - 1}`)
    expect(frame.parentSelector).toBe(parent.selector)
    expect(parent.prover).toBe(frame.prover)

    // The operator's status line is logged at start (and every 30 s).
    const status = logLines(node.output())
      .map((l) => String(l["message"] ?? ""))
      .find((m) => m.startsWith("status "))
    expect(status).toMatch(/^status head=\d+ rank=\d+ peers=0 workers=[01]\/1 frame_interval_ms=\d+ rss_mib=[1-9]\d* shards=0 mempool=0$/)

    const beyond = await fetch(`${node.url}/v1/frames/global/${later.frameNumber + 1_000_000}`)
    expect(beyond.status).toBe(404)
    expect(beyond.headers.get("content-type")).toBe("application/problem+json")
    expect((await fetch(`${node.url}/v1/frames/global/x1`)).status).toBe(400)
    // Genesis exists, so frame 0 is served too: frame 1's parent.
    const frame1 = await getJson<Frame>(`${node.url}/v1/frames/global/1`)
    const genesis = await getJson<Frame>(`${node.url}/v1/frames/global/0`)
    expect(genesis.frameNumber).toBe(0)
    expect(genesis.selector).toBe(frame1.parentSelector)
    expect(genesis.quorumCertificate).toMatchObject({ frameNumber: 0, rank: 0, selector: genesis.selector })

    // Rank and timeouts are sampled from the engine once a second: wait for a sample past `later`.
    const metrics = await pollUntil("consensus metrics to reach the head seen above", 5_000, async () => {
      const text = await (await fetch(`${node.url}/metrics`)).text()
      const caughtUp =
        (metricValue(text, "quilbun_consensus_head_frame_number") ?? -1) >= later.frameNumber &&
        (metricValue(text, "quilbun_consensus_rank") ?? -1) >= later.rank
      return caughtUp ? text : undefined
    })
    expect(lintExposition(metrics)).toEqual([])
    expect(metricValue(metrics, "quilbun_consensus_frame_interval_seconds")).toBeGreaterThan(0)
    expect(metricValue(metrics, "quilbun_consensus_timeouts_total")).toBeGreaterThanOrEqual(0)

    lastSeen = (await head(node)).frameNumber
    const { code } = await stop(node)
    expect(code).toBe(0)
  }, 60_000)

  test("restart on the same data dir resumes from the persisted head", async () => {
    expect(lastSeen).toBeGreaterThan(0)
    const node = start(dataDir, DIFFICULTY)
    const resumed = await pollUntil("/v1/frames/global/head", 15_000, () => head(node))
    expect(resumed.frameNumber).toBeGreaterThanOrEqual(lastSeen)
    // Frames committed before the restart are still served.
    const old = await getJson<Frame>(`${node.url}/v1/frames/global/${lastSeen}`)
    expect(old.frameNumber).toBe(lastSeen)
    const later = await headAtLeast(node, resumed.frameNumber + 2, 20_000)
    const frame = await getJson<Frame>(`${node.url}/v1/frames/global/${later.frameNumber}`)
    expect(frame.selector).toBe(later.selector)
    const { code } = await stop(node)
    expect(code).toBe(0)
  }, 60_000)

  test("kill -9 while frames commit: every frame the API reported as committed survives", async () => {
    const dir = tempDir()
    const node = start(dir, DIFFICULTY)
    await pollUntil("/v1/frames/global/head", 15_000, () => head(node))
    const seen = await headAtLeast(node, 3, 20_000)
    // Keep reading the head right up to the kill, so the last reported commit is as fresh as possible.
    let lastReported = seen
    for (let i = 0; i < 5; i++) lastReported = await head(node)
    node.proc.kill("SIGKILL")
    await node.proc.exited
    const again = start(dir, DIFFICULTY)
    const resumed = await pollUntil("/v1/frames/global/head", 15_000, () => head(again))
    expect(resumed.frameNumber).toBeGreaterThanOrEqual(lastReported.frameNumber)
    const frame = await getJson<Frame>(`${again.url}/v1/frames/global/${lastReported.frameNumber}`)
    expect(frame.selector).toBe(lastReported.selector)
    const { code } = await stop(again)
    expect(code).toBe(0)
  }, 60_000)

  test("SIGTERM during a long VDF solve exits 0", async () => {
    // ≈ 4 s of native solving per frame, so the signal lands mid-solve.
    const node = start(tempDir(), 200_000)
    await pollUntil("/v1/frames/global/head", 15_000, () => head(node))
    await Bun.sleep(1_000)
    const { code } = await stop(node)
    expect(code).toBe(0)
    expect(node.output()).toContain("global consensus started")
  }, 40_000)
})
