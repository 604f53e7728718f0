// The real `bun run node` process: start, health, worker crash and restart, auth and problem
// documents, metrics format, kill -9 of the master (no orphans, no lost commits), restart on the
// same data dir, bad config, SIGTERM. One node lifetime is shared across steps to keep it fast.
import { afterAll, describe, expect, test } from "bun:test"
import { Effect } from "effect"
import { mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Buckets, KeyCodec, openStore, storePath, ValueCodec } from "../../runtime/store/index.ts"
import { missingMetrics, readDashboard } from "../unit/config/grafana-dashboard.ts"
import { walkOpenApi } from "../unit/runtime/api/openapi-walk.ts"
import { lintExposition } from "../unit/runtime/kernel/metrics/prometheus-lint.ts"
import { ANY_PORT, apiUrlOnceWritten, getJson, isAlive, mainEntry, pollUntil, repoRoot, spawnNode, type RunningNode, type WorkerRow } from "./node-process.ts"

const dataDir = mkdtempSync(join(tmpdir(), "quilbun-it-"))
const spawned: Array<RunningNode> = []
afterAll(() => {
  for (const n of spawned) n.proc.kill("SIGKILL")
  rmSync(dataDir, { recursive: true, force: true })
})

const start = () => {
  const node = spawnNode(dataDir, ANY_PORT)
  spawned.push(node)
  return node
}

const readyWorkers = (url: string, n: number) =>
  pollUntil(`${n} running workers`, 10_000, async () => {
    const ws = await getJson<ReadonlyArray<WorkerRow>>(`${url}/v1/workers`)
    return ws.length === n && ws.every((w) => w.state === "running") ? ws : undefined
  })

interface NodeInfoBody {
  readonly nodeId: string
  readonly store: { readonly boots: number; readonly heartbeat: number }
}

/** Reads the master store directly (the node must not be running). */
const readStoreRecord = async () => {
  const store = await Effect.runPromise(openStore({ path: storePath(dataDir, "master") }))
  try {
    const meta = store.repository({ bucket: Buckets.meta, key: KeyCodec.string, value: ValueCodec.cbor<number>() })
    return { boots: meta.get("node.boots") ?? 0, heartbeat: meta.get("node.heartbeat") ?? 0 }
  } finally {
    await store.close()
  }
}

describe("bun run node (real process)", () => {
  let first: RunningNode
  let lastHeartbeat = 0
  let nodeId = ""

  test("answers /health within 10 s with 2 workers running", async () => {
    first = start()
    await pollUntil("/health", 10_000, async () => ((await fetch(`${first.url}/health`)).ok ? true : undefined))
    const workers = await readyWorkers(first.url, 2)
    expect(workers.map((w) => w.core)).toEqual([1, 2])
    expect(workers.every((w) => w.restarts === 0 && w.pid !== null)).toBe(true)
    expect((await fetch(`${first.url}/ready`)).status).toBe(200)
    const info = await getJson<NodeInfoBody>(`${first.url}/v1/node`)
    nodeId = info.nodeId
    expect(info.store.boots).toBe(1)
    // The token file exists with mode 0600 and the summary never shows it.
    const token = readFileSync(join(dataDir, "api.token"), "utf8").trim()
    expect(JSON.stringify(info)).not.toContain(token)
  }, 15_000)

  test("every data worker runs the execution host with the built-in intrinsics (GET /v1/intrinsics)", async () => {
    const list = await getJson<ReadonlyArray<{ core: number; intrinsics: ReadonlyArray<{ name: string; opTypes: ReadonlyArray<number> }>; error?: string }>>(
      `${first.url}/v1/intrinsics`,
    )
    expect(list.map((w) => w.core)).toEqual([1, 2])
    for (const w of list) {
      expect(w.error).toBeUndefined()
      const hypergraph = w.intrinsics.find((i) => i.name === "hypergraph")
      // deploy, update, plaintext vertex add, vertex remove, hyperedge add and remove.
      expect([...(hypergraph?.opTypes ?? [])].sort((x, y) => x - y)).toEqual([0x0402, 0x0403, 0x0405, 0x0406, 0x0407, 0x0480])
    }
    // It is in the API description too.
    const openapi = await getJson<{ paths: Record<string, unknown> }>(`${first.url}/openapi.json`)
    expect(Object.keys(openapi.paths)).toContain("/v1/intrinsics")
  })

  test("GET /v1/fees: the master's global multiplier and the worker-held shard windows (none before any shard commits)", async () => {
    const fees = await getJson<{ global: number; shards: Record<string, number> }>(`${first.url}/v1/fees`)
    expect(fees).toEqual({ global: 100, shards: {} })
    const openapi = await getJson<{ paths: Record<string, unknown> }>(`${first.url}/openapi.json`)
    expect(Object.keys(openapi.paths)).toContain("/v1/fees")
  })

  test("intrinsic queries are served by a worker: GET /v1/intrinsics/hypergraph/<query>", async () => {
    // An absent vertex is the query's own 404, told apart from a missing route by type and title.
    const absent = `${"ab".repeat(32)}${"01".repeat(32)}`
    const missing = await fetch(`${first.url}/v1/intrinsics/hypergraph/vertex?id=${absent}`)
    expect(missing.status).toBe(404)
    expect(missing.headers.get("content-type")).toBe("application/problem+json")
    const body = (await missing.json()) as { type: string; title: string; detail: string }
    expect(body).toMatchObject({ type: "urn:quilbun:problem:query-not-found", title: "Not Found In State" })
    expect(body.detail).toBe(`no vertex ${absent}`)
    const noRoute = (await (await fetch(`${first.url}/v1/nope`)).json()) as { title: string; detail: string }
    expect(noRoute.title).toBe("Not Found")
    expect(noRoute.detail).toStartWith("no route for")
    // shard-info needs no state: 200 with the shard facts of an app address.
    const info = await fetch(`${first.url}/v1/intrinsics/hypergraph/shard-info?address=${"ab".repeat(32)}`)
    expect(info.status).toBe(200)
    expect(await info.json()).toMatchObject({ l2: "ab".repeat(32), subShard: null })
    // Bad arguments are the query schema's 400.
    expect((await fetch(`${first.url}/v1/intrinsics/hypergraph/vertex?id=zz`)).status).toBe(400)
    // The CLI's `get vertex` reaches the same route (exit 1 with the node's answer).
    const cli = Bun.spawnSync([process.execPath, join(repoRoot, "runtime/cli/main.ts"), "hypergraph", "get", "vertex", absent], {
      env: { ...process.env, QUILBUN_DATA_DIR: dataDir },
      stdout: "pipe",
      stderr: "pipe",
    })
    expect(cli.exitCode).toBe(1)
    expect(cli.stderr.toString()).toContain(`no vertex ${absent}`)
    const openapi = await getJson<{ paths: Record<string, { get?: { parameters?: ReadonlyArray<{ name: string }> } }> }>(`${first.url}/openapi.json`)
    expect(openapi.paths["/v1/intrinsics/hypergraph/vertex"]?.get?.parameters?.map((p) => p.name)).toEqual(["id"])
  }, 15_000)

  test("kill -9 of a worker: restarted, /v1/workers shows restarts: 1 within 5 s", async () => {
    const before = await getJson<ReadonlyArray<WorkerRow>>(`${first.url}/v1/workers`)
    const victim = before.find((w) => w.core === 1)
    expect(victim?.pid).toBeGreaterThan(0)
    process.kill(victim?.pid ?? 0, "SIGKILL")
    const after = await pollUntil("worker 1 restarted", 5_000, async () => {
      const ws = await getJson<ReadonlyArray<WorkerRow>>(`${first.url}/v1/workers`)
      const w = ws.find((x) => x.core === 1)
      return w !== undefined && w.state === "running" && w.restarts === 1 ? w : undefined
    })
    expect(after.pid).not.toBe(victim?.pid)
    expect((await getJson<ReadonlyArray<WorkerRow>>(`${first.url}/v1/workers`)).find((w) => w.core === 2)?.restarts).toBe(0)
  }, 10_000)

  test("auth, validation and problem documents", async () => {
    const token = readFileSync(join(dataDir, "api.token"), "utf8").trim()
    const noToken = await fetch(`${first.url}/v1/workers/2/restart`, { method: "POST" })
    expect(noToken.status).toBe(401)
    expect(noToken.headers.get("content-type")).toBe("application/problem+json")
    const malformed = await fetch(`${first.url}/v1/log-level`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: "{not json",
    })
    expect(malformed.status).toBe(400)
    expect(malformed.headers.get("content-type")).toBe("application/problem+json")
    expect(await malformed.json()).toMatchObject({ status: 400, title: "Malformed JSON" })
    // Every route of the real node's /openapi.json, sent malformed, oversized and unauthenticated requests:
    // 4xx problem documents only, never a 500 or a hang (and no request that changes anything gets through).
    expect(await walkOpenApi({ url: first.url, token, maxBodyBytes: 1024 * 1024, readsNeedToken: false, allowRateLimit: true })).toEqual([])
    // Frame 0 is the genesis every node derives: served although it is never stored.
    expect((await getJson<{ readonly frameNumber: number }>(`${first.url}/v1/frames/global/0`)).frameNumber).toBe(0)
    const restart = await fetch(`${first.url}/v1/workers/2/restart`, { method: "POST", headers: { authorization: `Bearer ${token}` } })
    expect(restart.status).toBe(202)
    await pollUntil("worker 2 restarted", 5_000, async () => {
      const ws = await getJson<ReadonlyArray<WorkerRow>>(`${first.url}/v1/workers`)
      return ws.find((w) => w.core === 2 && w.restarts === 1 && w.state === "running")
    })
  }, 60_000)

  test("/metrics is valid exposition with actor, worker, process and store metrics", async () => {
    // Every metric the shipped Grafana dashboard (config/grafana) queries is one this node exports. A
    // histogram is exported from its first observation (the VDF verify one, from the first verified frame),
    // so the scrape waits for the node to have done each kind of work; one never observed still fails.
    const dashboard = readDashboard()
    const text = await pollUntil("every dashboard metric exported", 30_000, async () => {
      const t = await (await fetch(`${first.url}/metrics`)).text()
      return missingMetrics(dashboard, t).length === 0 ? t : undefined
    }).catch(async (e: unknown) => {
      const t = await (await fetch(`${first.url}/metrics`)).text()
      throw new Error(`${String(e)}: missing ${JSON.stringify(missingMetrics(dashboard, t))}`)
    })
    expect(lintExposition(text)).toEqual([])
    // The real checker too: `npm test` installs promtool (test/debian-packages.txt); without it this fails.
    const promtool = Bun.which("promtool")
    if (promtool === null) throw new Error("promtool is not on PATH: run `npm test` (scripts/setup.sh --test installs the prometheus package)")
    const check = Bun.spawnSync([promtool, "check", "metrics"], { stdin: new TextEncoder().encode(text), stdout: "pipe", stderr: "pipe" })
    expect(`${check.stdout.toString()}${check.stderr.toString()}`.trim()).toBe("")
    expect(check.exitCode).toBe(0)
    expect(text).toContain('quilbun_worker_restarts_total{worker="1",core="0"} 1')
    expect(text).toContain('quilbun_worker_up{worker="2",core="0"} 1')
    expect(text).toMatch(/quilbun_process_resident_memory_bytes\{core="1"\} \d+/)
    expect(text).toMatch(/quilbun_event_loop_lag_seconds\{core="0"\} /)
    expect(text).toMatch(/quilbun_actor_processed_total\{path="\/root\/worker-manager",core="0"\} \d+/)
    expect(text).toMatch(/quilbun_store_map_size_bytes\{store="worker-2",core="2"\} \d+/)
    const tree = await getJson<{ children: ReadonlyArray<{ name: string; children: ReadonlyArray<{ name: string }> }> }>(`${first.url}/v1/actors`)
    const manager = tree.children.find((c) => c.name === "worker-manager")
    expect(manager?.children.map((c) => c.name)).toEqual(["worker-1", "worker-2"])
  }, 45_000)

  test("kill -9 of the master: no worker left within 5 s, no committed write lost", async () => {
    const workers = await getJson<ReadonlyArray<WorkerRow>>(`${first.url}/v1/workers`)
    // Heartbeats are committed in a loop; the value the API reports has been committed.
    lastHeartbeat = (await getJson<NodeInfoBody>(`${first.url}/v1/node`)).store.heartbeat
    first.proc.kill("SIGKILL")
    await first.proc.exited
    await pollUntil("workers gone", 5_000, () => (workers.every((w) => !isAlive(w.pid ?? 0)) ? true : undefined))
    const record = await readStoreRecord()
    expect(record.boots).toBe(1)
    expect(record.heartbeat).toBeGreaterThanOrEqual(lastHeartbeat)
    lastHeartbeat = record.heartbeat
  }, 10_000)

  test("restart on the same data dir reads back; SIGTERM exits 0", async () => {
    const second = start()
    await pollUntil("/health", 10_000, async () => ((await fetch(`${second.url}/health`)).ok ? true : undefined))
    const info = await getJson<NodeInfoBody>(`${second.url}/v1/node`)
    expect(info.nodeId).toBe(nodeId)
    expect(info.store.boots).toBe(2)
    expect(info.store.heartbeat).toBeGreaterThanOrEqual(lastHeartbeat)
    const workers = await readyWorkers(second.url, 2)
    second.proc.kill("SIGTERM")
    const code = await second.proc.exited
    expect(code).toBe(0)
    expect(workers.some((w) => isAlive(w.pid ?? 0))).toBe(false)
    expect(second.output()).toContain('"message":"node stopped"')
    expect((await readStoreRecord()).boots).toBe(2)
  }, 25_000)

  test("Ctrl-C at a terminal (SIGINT to the whole process group): workers are not restarted, exit 0", async () => {
    const groupDir = mkdtempSync(join(tmpdir(), "quilbun-it-group-"))
    const url = apiUrlOnceWritten(groupDir)
    const proc = Bun.spawn({
      cmd: [process.execPath, mainEntry, "--data-dir", groupDir, "--api-listen", "127.0.0.1:0", "--workers", "2", "--log-format", "json"],
      cwd: repoRoot,
      env: { ...process.env, QUILBUN_LOG_LEVEL: "info" },
      detached: true, // its own process group, like a shell job
      stdin: "ignore",
      stdout: "ignore",
      stderr: "pipe",
    })
    try {
      const workers = await readyWorkers(await pollUntil("the admin API's URL", 10_000, url), 2)
      process.kill(-proc.pid, "SIGINT")
      const code = await proc.exited
      const log = await new Response(proc.stderr).text()
      expect(code).toBe(0)
      expect(log).toContain('"message":"node stopped"')
      expect(log).not.toContain("data worker exited")
      expect(workers.some((w) => isAlive(w.pid ?? 0))).toBe(false)
    } finally {
      proc.kill("SIGKILL")
      rmSync(groupDir, { recursive: true, force: true })
    }
  }, 25_000)

  test("bad config: exit 2 and the reason on stderr", async () => {
    const proc = Bun.spawn({
      cmd: [process.execPath, mainEntry, "--data-dir", dataDir, "--workers", "zero"],
      cwd: repoRoot,
      stdout: "pipe",
      stderr: "pipe",
    })
    const [code, stderr] = await Promise.all([proc.exited, new Response(proc.stderr).text()])
    expect(code).toBe(2)
    expect(stderr).toContain("workers")
    expect(stderr.trim().split("\n")).toHaveLength(1)
  }, 10_000)
})
