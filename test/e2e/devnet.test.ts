// `bun run devnet --nodes 3`: three real node processes on loopback sharing one genesis committee over
// libp2p. They print one line each, commit the same frames (identical selectors on every node), list
// each other in /v1/peers; a fourth node started late with the same genesis (not a committee member)
// syncs the history and follows the head; a SIGTERM to the devnet stops every process it started (exit 0).
import { afterAll, expect, test } from "bun:test"
import { mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { type Head, type RunningDevnet, spawnDevnet, spawnLateNode, stopAllAfter } from "./devnet-process.ts"
import { getJson, isAlive, pollUntil } from "./node-process.ts"

interface Peer {
  readonly id: string
  readonly addresses: ReadonlyArray<string>
  readonly direction: string
  readonly score: number
  readonly latencyMs: number | null
}

const cmdline = (pid: number): string => {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8")
  } catch {
    return ""
  }
}

const NODES = 3

const base = mkdtempSync(join(tmpdir(), "quilbun-it-devnet-"))
const devnets: Array<RunningDevnet> = []
const started: Array<{ kill: (signal?: number | NodeJS.Signals) => void }> = []
afterAll(async () => {
  await stopAllAfter(devnets)
  for (const p of started) p.kill("SIGKILL")
  rmSync(base, { recursive: true, force: true })
})

test("3 processes commit identical frames over libp2p, see each other, and stop cleanly on SIGTERM", async () => {
  const devnet = spawnDevnet(NODES, base, ["--set", "engine.difficulty=100"])
  devnets.push(devnet)
  const lines = await devnet.ready()
  expect(lines.map((l) => l.index)).toEqual([0, 1, 2])
  expect(new Set(lines.map((l) => l.peer)).size).toBe(NODES)
  expect(new Set(lines.map((l) => l.api)).size).toBe(NODES)

  // Every process, workers included, so we can check that all of them are gone afterwards.
  const pids: Array<number> = []
  for (const l of lines) {
    pids.push((await getJson<{ pid: number }>(`${l.api}/v1/node`)).pid)
    for (const w of await getJson<ReadonlyArray<{ pid: number | null }>>(`${l.api}/v1/workers`)) if (w.pid !== null) pids.push(w.pid)
  }
  expect(pids.length).toBeGreaterThanOrEqual(NODES)

  // The heads advance on all nodes...
  const heads = devnet.heads
  const first = Math.max(...(await heads()).map((h) => h.frameNumber))
  const target = first + 3
  const reached = await pollUntil(`every head ≥ ${target}`, 45_000, async () => {
    const hs = await heads()
    return hs.every((h) => h.frameNumber >= target) ? hs : undefined
  })
  // ...along one chain: frame n has the same selector on every node.
  const common = Math.min(...reached.map((h) => h.frameNumber))
  for (let n = 1; n <= common; n++) {
    const selectors = await Promise.all(lines.map((l) => getJson<Head>(`${l.api}/v1/frames/global/${n}`).then((f) => f.selector)))
    expect(new Set(selectors).size).toBe(1)
  }

  // Each node lists the two others (by the peer ids the devnet printed), with their listen addresses.
  const latencies: Array<number | null> = []
  for (const l of lines) {
    const others = lines
      .filter((o) => o.index !== l.index)
      .map((o) => o.peer)
      .sort()
    const peers = await pollUntil(`node ${l.index} to list its peers`, 15_000, async () => {
      const ps = await getJson<ReadonlyArray<Peer>>(`${l.api}/v1/peers`)
      return others.every((id) => ps.some((p) => p.id === id)) ? ps : undefined
    })
    for (const p of peers.filter((p) => others.includes(p.id))) {
      expect(p.addresses.length).toBeGreaterThan(0)
      expect(p.addresses.every((a) => a.endsWith(`/p2p/${p.id}`))).toBe(true)
      expect(["inbound", "outbound"]).toContain(p.direction)
      expect(Number.isFinite(p.score)).toBe(true)
      latencies.push(p.latencyMs)
    }
  }
  // Pings on loopback answer (a busy machine may miss the 1 s bound for some, not for all).
  expect(latencies.some((ms) => ms !== null && ms >= 0)).toBe(true)

  // A late follower: same genesis committee (read back from the devnet's key files), bootstrapped to
  // the members' listen addresses as the members report them; it must catch up and keep following.
  const late = await spawnLateNode({ baseDir: base, nodes: NODES, apis: lines.map((l) => l.api), workers: 1, nodeArgs: ["--set", "engine.difficulty=100"] })
  const follower = late.proc
  expect(late.members.map((m) => m.peerId)).toEqual(lines.map((l) => l.peer))
  started.push(follower)
  const atJoin = (await getJson<Head>(`${lines[0]?.api}/v1/frames/global/head`)).frameNumber
  const caughtUp = await pollUntil(`the follower to pass frame ${atJoin + 1}`, 45_000, async () => {
    const h = await getJson<Head>(`${late.url()}/v1/frames/global/head`)
    return h.frameNumber > atJoin + 1 ? h : undefined
  })
  for (const n of [1, Math.ceil(caughtUp.frameNumber / 2), caughtUp.frameNumber]) {
    const mine = await getJson<Head>(`${late.url()}/v1/frames/global/${n}`)
    const theirs = await getJson<Head>(`${lines[0]?.api}/v1/frames/global/${n}`)
    expect(mine.selector).toBe(theirs.selector)
  }
  follower.kill("SIGTERM")
  expect(await follower.exited).toBe(0)

  expect(await devnet.stop()).toBe(0)
  expect(devnet.output().err).toContain("devnet: stopped")
  // (A pid counts only while it is still one of ours: a busy machine may reuse a number.)
  const ours = (pid: number): boolean => isAlive(pid) && cmdline(pid).includes(base)
  expect(pids.filter(ours)).toEqual([])
}, 120_000)
