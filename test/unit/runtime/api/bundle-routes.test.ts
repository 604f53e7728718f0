// POST /v1/bundles, GET /v1/bundles/{id} and GET /v1/shards over a fake backend: input checks, how
// each backend answer and failure becomes HTTP, and the defaults of a backend without shards.
import { describe, expect, test } from "bun:test"
import { Effect, Runtime } from "effect"
import { makeAdminApp } from "../../../../runtime/api/app.ts"
import {
  type AdminBackendService,
  BundleInvalid,
  type BundleStatusAnswer,
  ShardBusy,
  type ShardStatusView,
  ShardUnavailable,
} from "../../../../runtime/api/backend.ts"

const TOKEN = "bundle-token"
const auth = { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" }
const SHARD = "cd".repeat(32)
const ID = "ab".repeat(32)

const base: AdminBackendService = {
  nodeInfo: Effect.succeed({ version: "0.1.0", nodeId: "n", uptimeMs: 1, roles: [], pid: 1, config: {} }),
  ready: Effect.succeed({ ready: true, reasons: [] }),
  actors: Effect.succeed({ name: "root", children: [] }),
  workers: Effect.succeed([]),
  restartWorker: () => Effect.void,
  setLogLevel: () => Effect.void,
  metrics: Effect.succeed(""),
  globalHead: Effect.die("unused"),
  globalFrame: () => Effect.die("unused"),
}

const shardView: ShardStatusView = {
  address: SHARD,
  frameNumber: 3,
  rank: 4,
  stateRoots: ["00", "11", "22", "33"],
  provers: 1,
  core: 1,
  halted: false,
  mempool: 0,
  bundlesCommitted: 2,
  bundlesRejected: 1,
  equivocations: 0,
}

/** The fake answers by the bundle's first byte: 1 malformed, 2 busy, 3 unavailable, 4 no worker, else pending. */
const makeApp = (overrides: Partial<AdminBackendService> = {}) => {
  const submitted: Array<{ bundle: string; domain: string | undefined }> = []
  const backend: AdminBackendService = {
    ...base,
    submitBundle: (bundle, domain): ReturnType<NonNullable<AdminBackendService["submitBundle"]>> =>
      Effect.suspend((): ReturnType<NonNullable<AdminBackendService["submitBundle"]>> => {
        submitted.push({ bundle: Buffer.from(bundle).toString("hex"), domain: domain === undefined ? undefined : Buffer.from(domain).toString("hex") })
        switch (bundle[0]) {
          case 1:
            return Effect.fail(new BundleInvalid({ reason: "malformed", detail: "bundle prefix is not 0x0312" }))
          case 2:
            return Effect.fail(new ShardBusy({ shard: SHARD, retryAfterMs: 1500 }))
          case 3:
            return Effect.fail(new ShardUnavailable({ reason: "worker 1 did not take the bundle: AskTimeout" }))
          case 4:
            return Effect.succeed({ id: ID, shard: SHARD, status: "rejected" as const, reason: `no data worker covers shard ${SHARD}` })
          default:
            return Effect.succeed({ id: ID, shard: SHARD, status: "pending" as const })
        }
      }),
    bundleStatus: (id): Effect.Effect<BundleStatusAnswer> =>
      Effect.succeed(
        Buffer.from(id).toString("hex") === ID
          ? { status: "committed", shard: SHARD, frameNumber: 1, reason: null }
          : { status: "unknown", shard: null, frameNumber: null, reason: null },
      ),
    shards: Effect.succeed([shardView]),
    ...overrides,
  }
  return { app: makeAdminApp(backend, Runtime.defaultRuntime, { token: TOKEN, maxBodyBytes: 4096, version: "0.1.0" }), submitted }
}

const post = (app: ReturnType<typeof makeApp>["app"], body: unknown, headers: Record<string, string> = auth) =>
  app.request("/v1/bundles", { method: "POST", headers, body: typeof body === "string" ? body : JSON.stringify(body) })

const problem = async (res: Response, status: number) => {
  expect(res.status).toBe(status)
  expect(res.headers.get("content-type")).toBe("application/problem+json")
  return (await res.json()) as { type: string; detail: string; reason?: string }
}

describe("POST /v1/bundles", () => {
  test("needs the token", async () => {
    const { app, submitted } = makeApp()
    await problem(await post(app, { bundle: "05" }, { "content-type": "application/json" }), 401)
    expect(submitted).toEqual([])
  })

  test("bad JSON, a body without a hex bundle, or a domain that is not 32 bytes of hex are 400", async () => {
    const { app, submitted } = makeApp()
    expect((await problem(await post(app, "{not json"), 400)).type).toBe("urn:quilbun:problem:invalid-json")
    expect((await problem(await post(app, { bundle: 5 }), 400)).type).toBe("urn:quilbun:problem:invalid-request")
    expect((await problem(await post(app, { bundle: "zz" }), 400)).detail).toContain("bundle")
    expect((await problem(await post(app, { bundle: "" }), 400)).detail).toContain("bundle")
    expect((await problem(await post(app, { bundle: "05", domain: "abcd" }), 400)).detail).toContain("domain")
    expect(submitted).toEqual([])
  })

  test("a routable bundle is 202 pending; the domain and a 0x prefix reach the backend as bytes", async () => {
    const { app, submitted } = makeApp()
    const res = await post(app, { bundle: "0x05aa", domain: "ee".repeat(32) })
    expect(res.status).toBe(202)
    expect(await res.json()).toEqual({ id: ID, shard: SHARD, status: "pending" })
    expect(submitted).toEqual([{ bundle: "05aa", domain: "ee".repeat(32) }])
  })

  test("a bundle that does not route is a 400 naming the reason", async () => {
    const body = await problem(await post(makeApp().app, { bundle: "01" }), 400)
    expect(body.type).toBe("urn:quilbun:problem:bundle-invalid")
    expect(body.reason).toBe("malformed")
    expect(body.detail).toBe("malformed: bundle prefix is not 0x0312")
  })

  test("a full mempool is a 503 with Retry-After in whole seconds (rounded up); a silent worker a 503", async () => {
    const res = await post(makeApp().app, { bundle: "02" })
    expect(res.headers.get("retry-after")).toBe("2")
    expect((await problem(res, 503)).type).toBe("urn:quilbun:problem:mempool-full")
    expect((await problem(await post(makeApp().app, { bundle: "03" }), 503)).detail).toContain("AskTimeout")
  })

  test("no worker covers the shard: 202 rejected with the reason", async () => {
    const res = await post(makeApp().app, { bundle: "04" })
    expect(res.status).toBe(202)
    expect(await res.json()).toEqual({ id: ID, shard: SHARD, status: "rejected", reason: `no data worker covers shard ${SHARD}` })
  })

  test("a backend without shard hosts answers 503", async () => {
    const app = makeAdminApp(base, Runtime.defaultRuntime, { token: TOKEN, maxBodyBytes: 4096, version: "0.1.0" })
    expect((await problem(await post(app, { bundle: "05" }), 503)).type).toBe("urn:quilbun:problem:shard-unavailable")
  })
})

describe("GET /v1/bundles/{id} and /v1/shards", () => {
  test("the status of a bundle; unknown ids answer unknown", async () => {
    const { app } = makeApp()
    expect(await (await app.request(`/v1/bundles/${ID}`)).json()).toEqual({ status: "committed", shard: SHARD, frameNumber: 1, reason: null })
    expect(await (await app.request(`/v1/bundles/${ID.toUpperCase()}`)).json()).toMatchObject({ status: "committed" })
    expect(await (await app.request(`/v1/bundles/${"00".repeat(32)}`)).json()).toEqual({ status: "unknown", shard: null, frameNumber: null, reason: null })
  })

  test("an id that is not 64 hex digits is a 400", async () => {
    const { app } = makeApp()
    await problem(await app.request("/v1/bundles/abc"), 400)
    await problem(await app.request(`/v1/bundles/${"zz".repeat(32)}`), 400)
  })

  test("shards as the backend lists them; none without shard hosts", async () => {
    expect(await (await makeApp().app.request("/v1/shards")).json()).toEqual([shardView])
    const bare = makeAdminApp(base, Runtime.defaultRuntime, { token: TOKEN, maxBodyBytes: 4096, version: "0.1.0" })
    expect(await (await bare.request("/v1/shards")).json()).toEqual([])
    expect(await (await bare.request(`/v1/bundles/${ID}`)).json()).toMatchObject({ status: "unknown" })
  })
})
