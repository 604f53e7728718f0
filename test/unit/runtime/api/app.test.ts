import { describe, expect, test } from "bun:test"
import { Effect, Runtime } from "effect"
import { makeAdminApp } from "../../../../runtime/api/app.ts"
import { ConsensusUnavailable, FrameNotFound, WorkerNotFound, type AdminBackendService, type GlobalFrameView } from "../../../../runtime/api/backend.ts"
import type { makeOpenApiDocument } from "../../../../runtime/api/openapi.ts"
import type { LogLevelName } from "../../../../runtime/kernel/logging.ts"

const TOKEN = "t0k3n-for-tests"

const HEAD = 7n
const frameStub = (n: bigint): GlobalFrameView => ({
  frameNumber: Number(n),
  rank: Number(n) + 1,
  timestamp: 1_700_000_000_000 + Number(n),
  difficulty: 100,
  selector: n.toString(16).padStart(64, "0"),
  parentSelector: "00".repeat(32),
  output: "ab".repeat(516),
  prover: "cd".repeat(32),
  proverTreeCommitment: "",
  requestsRoot: "",
  globalCommitments: [],
  signature: null,
  requests: [],
  shardUpdates: [{ address: "5a".repeat(32), frameNumber: Number(n) - 1 }],
  quorumCertificate: { rank: Number(n) + 1, frameNumber: Number(n), selector: n.toString(16).padStart(64, "0"), timestamp: 1 },
})

const makeApp = (overrides: Partial<AdminBackendService> = {}) => {
  const calls: Array<string> = []
  let level: LogLevelName = "info"
  const backend: AdminBackendService = {
    nodeInfo: Effect.succeed({ version: "0.1.0", nodeId: "abc", uptimeMs: 5, roles: ["master"], pid: 1, config: { workers: 1 } }),
    ready: Effect.succeed({ ready: true, reasons: [] }),
    actors: Effect.succeed({ name: "root", children: [{ name: "store", children: [] }] }),
    workers: Effect.succeed([{ core: 1, pid: 42, state: "running", restarts: 0, uptimeMs: 10, shards: [] }]),
    restartWorker: (core) => (core === 1 ? Effect.sync(() => void calls.push(`restart ${core}`)) : Effect.fail(new WorkerNotFound({ core }))),
    setLogLevel: (l) =>
      Effect.sync(() => {
        level = l
      }),
    metrics: Effect.succeed("# HELP x_total x\n# TYPE x_total counter\nx_total 1\n"),
    globalHead: Effect.sync(() => {
      const f = frameStub(HEAD)
      return { frameNumber: f.frameNumber, rank: f.rank, selector: f.selector, timestamp: f.timestamp }
    }),
    globalFrame: (n) =>
      Effect.suspend(() => {
        calls.push(`frame ${n}`)
        return n >= 1n && n <= HEAD ? Effect.succeed(frameStub(n)) : Effect.fail(new FrameNotFound({ frameNumber: n, head: HEAD }))
      }),
    ...overrides,
  }
  const app = makeAdminApp(backend, Runtime.defaultRuntime, { token: TOKEN, maxBodyBytes: 1024, version: "0.1.0" })
  return { app, calls, level: () => level }
}

const auth = { authorization: `Bearer ${TOKEN}` }

const expectProblem = async (res: Response, status: number) => {
  expect(res.status).toBe(status)
  expect(res.headers.get("content-type")).toBe("application/problem+json")
  const body = (await res.json()) as Record<string, unknown>
  expect(body.status).toBe(status)
  expect(typeof body.type).toBe("string")
  expect(typeof body.title).toBe("string")
  expect(typeof body.detail).toBe("string")
  return body
}

describe("admin API routes", () => {
  test("GET routes answer with JSON from the backend", async () => {
    const { app } = makeApp()
    expect(await (await app.request("/health")).json()).toEqual({ status: "ok" })
    expect(await (await app.request("/ready")).json()).toEqual({ ready: true })
    expect(((await (await app.request("/v1/node")).json()) as { nodeId: string }).nodeId).toBe("abc")
    expect(await (await app.request("/v1/workers")).json()).toEqual([{ core: 1, pid: 42, state: "running", restarts: 0, uptimeMs: 10, shards: [] }])
    expect(((await (await app.request("/v1/actors")).json()) as { children: Array<unknown> }).children).toHaveLength(1)
    const metrics = await app.request("/metrics")
    expect(metrics.headers.get("content-type")).toContain("text/plain; version=0.0.4")
    expect(await metrics.text()).toContain("x_total 1")
  })

  test("not ready is a 503 problem", async () => {
    const { app } = makeApp({ ready: Effect.succeed({ ready: false, reasons: ["worker 1 is restarting"] }) })
    const body = await expectProblem(await app.request("/ready"), 503)
    expect(body.detail).toContain("worker 1")
  })

  test("a node that gave up: /health is a 503 problem naming why", async () => {
    const reason = "node gave up: /root/global-consensus: 3 restarts within 5s"
    const { app } = makeApp({ health: Effect.succeed({ status: "failed", reason }) })
    const body = await expectProblem(await app.request("/health"), 503)
    expect(body.detail).toBe(reason)
    expect(body.health).toBe("failed")
  })

  test("mutating routes need the bearer token", async () => {
    const { app, calls } = makeApp()
    await expectProblem(await app.request("/v1/workers/1/restart", { method: "POST" }), 401)
    const wrong = await app.request("/v1/workers/1/restart", { method: "POST", headers: { authorization: "Bearer nope" } })
    await expectProblem(wrong, 401)
    expect(wrong.headers.get("www-authenticate")).toContain("Bearer")
    await expectProblem(await app.request("/v1/log-level", { method: "POST", body: JSON.stringify({ level: "debug" }) }), 401)
    expect(calls).toEqual([])
  })

  test("POST /v1/workers/{core}/restart: 202, 404 for an unknown core, 400 for a bad one", async () => {
    const { app, calls } = makeApp()
    const ok = await app.request("/v1/workers/1/restart", { method: "POST", headers: auth })
    expect(ok.status).toBe(202)
    expect(await ok.json()).toEqual({ core: 1, accepted: true })
    expect(calls).toEqual(["restart 1"])
    await expectProblem(await app.request("/v1/workers/9/restart", { method: "POST", headers: auth }), 404)
    await expectProblem(await app.request("/v1/workers/abc/restart", { method: "POST", headers: auth }), 400)
    await expectProblem(await app.request("/v1/workers/1.5/restart", { method: "POST", headers: auth }), 400)
  })

  test("POST /v1/log-level validates with Schema; malformed JSON is a 400 problem", async () => {
    const { app, level } = makeApp()
    const post = (body: string) => app.request("/v1/log-level", { method: "POST", body, headers: { ...auth, "content-type": "application/json" } })
    const ok = await post(JSON.stringify({ level: "debug" }))
    expect(ok.status).toBe(200)
    expect(level()).toBe("debug")
    const malformed = await expectProblem(await post("{level:"), 400)
    expect(malformed.type).toBe("urn:quilbun:problem:invalid-json")
    const invalid = await expectProblem(await post(JSON.stringify({ level: "loud" })), 400)
    expect(invalid.type).toBe("urn:quilbun:problem:invalid-request")
    expect(level()).toBe("debug")
  })

  test("bodies over the limit get 413", async () => {
    const { app } = makeApp()
    const big = JSON.stringify({ level: "debug", pad: "x".repeat(4000) })
    await expectProblem(await app.request("/v1/log-level", { method: "POST", body: big, headers: { ...auth, "content-type": "application/json" } }), 413)
  })

  test("unknown routes and backend defects are problems", async () => {
    const { app } = makeApp({ workers: Effect.die(new Error("boom")) })
    await expectProblem(await app.request("/nope"), 404)
    await expectProblem(await app.request("/v1/workers"), 500)
  })

  test("GET /v1/frames/global/head and /v1/frames/global/:n; 404 for an uncommitted frame, 400 for a bad number", async () => {
    const { app, calls } = makeApp()
    const head = (await (await app.request("/v1/frames/global/head")).json()) as Record<string, unknown>
    expect(head).toEqual({ frameNumber: 7, rank: 8, selector: "7".padStart(64, "0"), timestamp: 1_700_000_000_007 })
    const frame = await app.request("/v1/frames/global/3")
    expect(frame.status).toBe(200)
    const body = (await frame.json()) as GlobalFrameView
    expect(body.selector).toBe("3".padStart(64, "0"))
    expect(body.shardUpdates).toEqual([{ address: "5a".repeat(32), frameNumber: 2 }])
    const missing = await expectProblem(await app.request("/v1/frames/global/8"), 404)
    expect(missing.type).toBe("urn:quilbun:problem:frame-not-found")
    expect(missing.head).toBe(7)
    // 2^64 - 1 is a valid u64 (so it reaches the backend); 2^64, signs, leading zeros and words are not.
    await expectProblem(await app.request("/v1/frames/global/18446744073709551615"), 404)
    for (const bad of ["18446744073709551616", "-1", "+1", "01", "1.5", "abc", "0x10"]) {
      await expectProblem(await app.request(`/v1/frames/global/${bad}`), 400)
    }
    expect(calls).toEqual(["frame 3", "frame 8", "frame 18446744073709551615"])
  })

  test("frames answer 503 when the node runs no consensus", async () => {
    const down = new ConsensusUnavailable({ reason: "no engine" })
    const { app } = makeApp({ globalHead: Effect.fail(down), globalFrame: () => Effect.fail(down) })
    expect((await expectProblem(await app.request("/v1/frames/global/head"), 503)).detail).toBe("no engine")
    await expectProblem(await app.request("/v1/frames/global/1"), 503)
  })

  test("GET /v1/peers lists the backend's peers, and is an empty list without p2p", async () => {
    const peer = { id: "12D3KooWpeer", addresses: ["/ip4/127.0.0.1/tcp/4001/p2p/12D3KooWpeer"], direction: "outbound" as const, score: 0.5, latencyMs: 3 }
    const withPeers = makeApp({ peers: Effect.succeed([peer]) }).app
    const res = await withPeers.request("/v1/peers")
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual([peer])
    expect(await (await makeApp().app.request("/v1/peers")).json()).toEqual([])
  })

  test("the OpenAPI document describes exactly the served routes", async () => {
    const { app } = makeApp()
    const doc = (await (await app.request("/openapi.json")).json()) as ReturnType<typeof makeOpenApiDocument>
    expect(doc.openapi).toBe("3.1.0")
    const documented = Object.entries(doc.paths)
      .flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ":$1")}`))
      .sort()
    const served = app.routes
      .filter((r) => r.method !== "ALL")
      .map((r) => `${r.method} ${r.path}`)
      .sort()
    expect(documented).toEqual(served)
    // Mutating operations declare the bearer scheme.
    expect(doc.paths["/v1/log-level"].post.security).toEqual([{ bearerAuth: [] }])
    expect(doc.components.schemas.Worker).toMatchObject({ type: "object" })
    // The global frame documents its shard updates (address + shard frame number).
    const frameSchema = doc.components.schemas.GlobalFrame as { properties: Record<string, { description?: string; items?: { properties?: object } }> }
    expect(frameSchema.properties.shardUpdates?.description).toContain("ProverShardUpdate")
    expect(Object.keys(frameSchema.properties.shardUpdates?.items?.properties ?? {})).toEqual(["address", "frameNumber"])
    expect(JSON.stringify(doc.paths["/v1/frames/global/{n}"])).toContain("shardUpdates")
  })
})
