// The intrinsic routes of the admin app over a fake backend: every query as a GET (the real
// hypergraph queries run against an empty view, so their own schemas decide 400 and 404), the
// problem documents of each failure, a contributed sub-app behind the token, and the OpenAPI listing.
import { describe, expect, test } from "bun:test"
import { Effect, Runtime } from "effect"
import { Hono } from "hono"
import { hypergraphIntrinsic } from "../../../../intrinsics/hypergraph/index.ts"
import { makeAdminApp } from "../../../../runtime/api/app.ts"
import { type AdminBackendService, IntrinsicQueryFailed, type IntrinsicRoutes, QueryUnavailable, WorkerNotFound } from "../../../../runtime/api/backend.ts"

const TOKEN = "t0k3n-for-tests"
const auth = { authorization: `Bearer ${TOKEN}` }

const contributed = () => {
  const sub = new Hono()
  sub.get("/", (c) => c.json({ root: true }))
  sub.get("/hello", (c) => c.json({ hello: "world" }))
  sub.post("/echo", async (c) => c.json({ echoed: await c.req.text() }))
  return sub
}

const routes: IntrinsicRoutes = {
  queries: hypergraphIntrinsic.queries.map((q) => ({ intrinsic: "hypergraph", name: q.name, description: q.description, parameters: q.parameters })),
  mounts: [{ intrinsic: "notes", app: contributed() }],
}

type QueryFn = NonNullable<AdminBackendService["query"]>

/** Runs the real hypergraph query against an empty view, as a worker with nothing committed would. */
const emptyStateQuery: QueryFn = (intrinsic, name, args) => {
  const q = hypergraphIntrinsic.queries.find((x) => x.name === name)
  if (q === undefined) return Effect.fail(new IntrinsicQueryFailed({ kind: "unknown-query", reason: `${intrinsic} has no query ${name}` }))
  return Effect.mapError(q.run(args, { get: () => ({ _tag: "Absent" }) }), (e) => new IntrinsicQueryFailed({ kind: e.kind, reason: e.reason }))
}

/** `withQuery: false`: a backend that serves the routes but has no workers to run them. */
const makeApp = (overrides: Partial<AdminBackendService> = {}, withQuery = true) => {
  const seen: Array<unknown> = []
  const query: QueryFn = (intrinsic, name, args) =>
    Effect.suspend(() => {
      seen.push({ intrinsic, name, args })
      return emptyStateQuery(intrinsic, name, args)
    })
  const base: AdminBackendService = {
    nodeInfo: Effect.succeed({ version: "0.1.0", nodeId: "abc", uptimeMs: 5, roles: ["master"], pid: 1, config: {} }),
    ready: Effect.succeed({ ready: true, reasons: [] }),
    actors: Effect.succeed({ name: "root", children: [] }),
    workers: Effect.succeed([]),
    restartWorker: (core) => Effect.fail(new WorkerNotFound({ core })),
    setLogLevel: () => Effect.void,
    metrics: Effect.succeed(""),
    globalHead: Effect.succeed({ frameNumber: 0, rank: 0, selector: "", timestamp: 0 }),
    globalFrame: () => Effect.die("unused"),
    intrinsicRoutes: routes,
    ...overrides,
  }
  const backend: AdminBackendService = withQuery ? { query, ...base } : base
  return { app: makeAdminApp(backend, Runtime.defaultRuntime, { token: TOKEN, maxBodyBytes: 64, version: "0.1.0" }), seen }
}

const problem = async (res: Response, status: number) => {
  expect(res.status).toBe(status)
  expect(res.headers.get("content-type")).toBe("application/problem+json")
  const body = (await res.json()) as { type: string; title: string; status: number; detail: string }
  expect(body.status).toBe(status)
  return body
}

const vertexId = `${"ab".repeat(32)}${"01".repeat(32)}`

describe("intrinsic query routes", () => {
  test("200: the query's encoded result; the query string is the args object", async () => {
    const { app, seen } = makeApp()
    const res = await app.request(`/v1/intrinsics/hypergraph/shard-info?address=${"ab".repeat(32)}`)
    expect(res.status).toBe(200)
    expect(await res.json()).toMatchObject({ l2: "ab".repeat(32), subShard: null })
    expect(seen).toEqual([{ intrinsic: "hypergraph", name: "shard-info", args: { address: "ab".repeat(32) } }])
  })

  test("400: arguments the query's schema refuses", async () => {
    const { app } = makeApp()
    const bad = await problem(await app.request("/v1/intrinsics/hypergraph/vertex?id=zz"), 400)
    expect(bad.type).toBe("urn:quilbun:problem:query-bad-request")
    expect(bad.detail).toContain("64 bytes of hex")
    await problem(await app.request("/v1/intrinsics/hypergraph/vertex"), 400)
  })

  test("404: an absent atom (the query's own answer) and an unknown query, each told apart from a missing route", async () => {
    const { app } = makeApp()
    const absent = await problem(await app.request(`/v1/intrinsics/hypergraph/vertex?id=${vertexId}`), 404)
    expect(absent).toMatchObject({ type: "urn:quilbun:problem:query-not-found", title: "Not Found In State", detail: `no vertex ${vertexId}` })
    const unknown = await problem(await app.request("/v1/intrinsics/hypergraph/nope"), 404)
    expect(unknown.title).toBe("Unknown Query")
    expect(unknown.detail).toContain("vertex, hyperedge, shard-info")
    const noRoute = await problem(await app.request("/v1/intrinsics/elsewhere/vertex"), 404)
    expect(noRoute).toMatchObject({ type: "about:blank", title: "Not Found" })
    // A worker that runs a different set of intrinsics answers unknown-query: also a 404.
    const { app: other } = makeApp({ query: () => Effect.fail(new IntrinsicQueryFailed({ kind: "unknown-intrinsic", reason: "no intrinsic" })) })
    expect((await problem(await other.request(`/v1/intrinsics/hypergraph/vertex?id=${vertexId}`), 404)).title).toBe("Unknown Query")
  })

  test("503 when no worker answers (or the node has none); 500 when the query failed on the worker", async () => {
    const { app } = makeApp({ query: () => Effect.fail(new QueryUnavailable({ reason: "no data worker is running (worker 1 is restarting)" })) })
    const down = await problem(await app.request(`/v1/intrinsics/hypergraph/vertex?id=${vertexId}`), 503)
    expect(down).toMatchObject({ type: "urn:quilbun:problem:query-unavailable", detail: "no data worker is running (worker 1 is restarting)" })
    const { app: workerless } = makeApp({}, false)
    expect((await problem(await workerless.request(`/v1/intrinsics/hypergraph/vertex?id=${vertexId}`), 503)).detail).toBe("this node runs no data workers")
    const { app: failing } = makeApp({ query: () => Effect.fail(new IntrinsicQueryFailed({ kind: "failed", reason: "query hypergraph/vertex failed" })) })
    expect((await problem(await failing.request(`/v1/intrinsics/hypergraph/vertex?id=${vertexId}`), 500)).type).toBe("urn:quilbun:problem:query-failed")
  })
})

describe("contributed sub-apps", () => {
  test("mounted under /v1/intrinsics/<name>/ behind the token and the body limit", async () => {
    const { app } = makeApp()
    expect(await (await app.request("/v1/intrinsics/notes/hello")).json()).toEqual({ hello: "world" })
    expect(await (await app.request("/v1/intrinsics/notes")).json()).toEqual({ root: true })
    await problem(await app.request("/v1/intrinsics/notes/echo", { method: "POST", body: "hi" }), 401)
    const ok = await app.request("/v1/intrinsics/notes/echo", { method: "POST", body: "hi", headers: auth })
    expect(await ok.json()).toEqual({ echoed: "hi" })
    await problem(await app.request("/v1/intrinsics/notes/echo", { method: "POST", body: "x".repeat(100), headers: auth }), 413)
    expect((await problem(await app.request("/v1/intrinsics/notes/missing"), 404)).title).toBe("Unknown Query")
  })
})

describe("OpenAPI", () => {
  test("every query route is listed with its description and parameters; documented routes are the served ones", async () => {
    const { app } = makeApp()
    const doc = (await (await app.request("/openapi.json")).json()) as {
      paths: Record<string, Record<string, { summary: string; parameters?: Array<{ name: string; in: string; required: boolean }>; security?: unknown }>>
    }
    for (const q of hypergraphIntrinsic.queries) {
      const op = doc.paths[`/v1/intrinsics/hypergraph/${q.name}`]?.get
      expect(op?.summary).toBe(q.description)
    }
    expect(doc.paths["/v1/intrinsics/hypergraph/vertex"]?.get?.parameters).toMatchObject([{ name: "id", in: "query", required: true }])
    expect(doc.paths["/v1/intrinsics/hypergraph/shard-info"]?.get?.parameters).toMatchObject([{ name: "address", in: "query", required: true }])
    expect(doc.paths["/v1/intrinsics/notes/echo"]?.post?.security).toEqual([{ bearerAuth: [] }])
    const documented = Object.entries(doc.paths)
      .flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ":$1")}`))
      .sort()
    const served = app.routes
      .filter((r) => r.method !== "ALL")
      .map((r) => `${r.method} ${r.path}`)
      .sort()
    expect(documented).toEqual(served)
  })
})
