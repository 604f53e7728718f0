// The admin HTTP app (Hono). Routes only translate HTTP to AdminBackend effects and back:
// Effect Schema validates input, failures become RFC 9457 problem documents, anything that
// changes state needs the bearer token, and request bodies are size-limited.
import { Cause, Effect, Either, Exit, Option, Runtime, Schema } from "effect"
import { Hono, type Context as HonoContext } from "hono"
import { bodyLimit } from "hono/body-limit"
import { PROMETHEUS_CONTENT_TYPE } from "../kernel/metrics/prometheus.ts"
import { requireToken } from "./access.ts"
import {
  AdminBackend,
  intrinsicMountPath,
  intrinsicQueryPath,
  SetLogLevelBody,
  SubmitBundleBody,
  SubmitLifecycleBody,
  type LifecycleInvalid,
  type LifecycleRefused,
  type LifecycleUnavailable,
  type AdminBackendService,
  type BundleInvalid,
  type ConsensusUnavailable,
  type IntrinsicQueryFailed,
  type QueryUnavailable,
  type ShardBusy,
  type ShardUnavailable,
} from "./backend.ts"
import { type ContributedRoute, makeOpenApiDocument } from "./openapi.ts"
import { CorePath, FramePath } from "./path-numbers.ts"
import { problemResponse, ProblemType } from "./problem.ts"
import { rateLimitMutations } from "./rate-limit.ts"
import { requestTimeout, timedOutResponse } from "./request-timeout.ts"

export interface AdminAppOptions {
  readonly token: string
  readonly maxBodyBytes: number
  readonly version: string
  /** The listener is reachable from other hosts: every route but /health needs the token. */
  readonly readsNeedToken?: boolean
  /** A request that takes longer is answered 503 (default 20 s). */
  readonly requestTimeoutMs?: number
  /** Sustained rate of state-changing requests per minute (default 600, burst a tenth). */
  readonly mutationsPerMinute?: number
}

export const DEFAULT_REQUEST_TIMEOUT_MS = 20_000
const DEFAULT_MUTATIONS_PER_MINUTE = 600

const decodeCore = Schema.decodeUnknownEither(CorePath)
const decodeFrameNumber = Schema.decodeUnknownEither(FramePath)
const decodeLogLevel = Schema.decodeUnknownEither(SetLogLevelBody)
const decodeSubmitBundle = Schema.decodeUnknownEither(SubmitBundleBody)
const decodeSubmitLifecycle = Schema.decodeUnknownEither(SubmitLifecycleBody)

const lifecycleProblem = (e: LifecycleInvalid | LifecycleRefused | LifecycleUnavailable): Response => {
  switch (e._tag) {
    case "LifecycleInvalid":
      return problemResponse(400, ProblemType.lifecycleInvalid, "Invalid Lifecycle Operation", e.detail)
    case "LifecycleRefused":
      return problemResponse(409, ProblemType.lifecycleRefused, "Lifecycle Operation Refused", e.reason, {
        reason: e.reason,
        appliedThrough: Number(e.appliedThrough),
      })
    case "LifecycleUnavailable":
      return problemResponse(503, ProblemType.lifecycleUnavailable, "Lifecycle Unavailable", e.reason)
  }
}

/** Hex bytes (an optional 0x prefix); undefined when not hex or not `length` bytes. */
const hexBytes = (text: string, length?: number): Uint8Array | undefined => {
  const hex = text.startsWith("0x") || text.startsWith("0X") ? text.slice(2) : text
  if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) return undefined
  const bytes = Uint8Array.from(Buffer.from(hex, "hex"))
  return length === undefined || bytes.length === length ? bytes : undefined
}

const submitProblem = (e: BundleInvalid | ShardBusy | ShardUnavailable): Response => {
  switch (e._tag) {
    case "BundleInvalid":
      return problemResponse(400, ProblemType.bundleInvalid, "Invalid Bundle", `${e.reason}: ${e.detail}`, { reason: e.reason })
    case "ShardBusy":
      return problemResponse(503, ProblemType.mempoolFull, "Mempool Full", `the mempool of shard ${e.shard} is full; retry later`, undefined, {
        "retry-after": String(Math.max(1, Math.ceil(e.retryAfterMs / 1000))),
      })
    case "ShardUnavailable":
      return problemResponse(503, ProblemType.shardUnavailable, "Shard Unavailable", e.reason)
  }
}

/** Reads and validates a JSON body: 400 problem on malformed JSON or a schema mismatch. */
const readJson = async <A, I>(c: HonoContext, decode: (u: unknown) => Either.Either<A, { readonly message: string }>): Promise<Either.Either<A, Response>> => {
  const text = await c.req.text()
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch (error) {
    return Either.left(problemResponse(400, ProblemType.invalidJson, "Malformed JSON", error instanceof Error ? error.message : "body is not JSON"))
  }
  return Either.mapLeft(decode(parsed), (e) => problemResponse(400, ProblemType.invalidRequest, "Invalid request body", e.message))
}

/** A query's own failures as problem documents; `title` tells them apart from the generic route-not-found. */
const queryProblem = (e: IntrinsicQueryFailed | QueryUnavailable): Response => {
  if (e._tag === "QueryUnavailable") return problemResponse(503, ProblemType.queryUnavailable, "Query Unavailable", e.reason)
  switch (e.kind) {
    case "bad-request":
      return problemResponse(400, ProblemType.queryBadRequest, "Invalid Query Arguments", e.reason)
    case "not-found":
      return problemResponse(404, ProblemType.queryNotFound, "Not Found In State", e.reason)
    case "unknown-intrinsic":
    case "unknown-query":
      return problemResponse(404, ProblemType.unknownQuery, "Unknown Query", e.reason)
    case "failed":
      return problemResponse(500, ProblemType.queryFailed, "Query Failed", e.reason)
  }
}

/** Hono's `:name` and `:name{regex}` segments as OpenAPI's `{name}`. */
const openApiPath = (honoPath: string): string => honoPath.replace(/:(\w+)(\{[^}]*\})?/g, "{$1}")

/** Builds the app; `runtime` runs the backend's effects (logger, metrics, clock of the node). */
export const makeAdminApp = (backend: AdminBackendService, runtime: Runtime.Runtime<never>, options: AdminAppOptions): Hono => {
  const run = Runtime.runPromiseExit(runtime)
  const app = new Hono()
  const intrinsicRoutes = backend.intrinsicRoutes ?? { queries: [], mounts: [] }
  const timeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS
  const perMinute = options.mutationsPerMinute ?? DEFAULT_MUTATIONS_PER_MINUTE

  /** Runs an effect; a defect becomes a 500 problem (logged once), one past the request timeout is interrupted. */
  const respond = async <A, E>(effect: Effect.Effect<A, E>, onSuccess: (a: A) => Response, onFailure?: (e: E) => Response): Promise<Response> => {
    const exit = await run(Effect.timeout(effect, timeoutMs))
    if (Exit.isSuccess(exit)) return onSuccess(exit.value)
    const failure = Cause.failureOption(exit.cause)
    if (Option.isSome(failure)) {
      if (Cause.isTimeoutException(failure.value)) return timedOutResponse(timeoutMs)
      if (onFailure !== undefined) return onFailure(failure.value)
    }
    await run(Effect.logError("admin request failed", exit.cause))
    return problemResponse(500, ProblemType.internal, "Internal Server Error", "the request failed; see the node log")
  }

  // Every state-changing method needs the token; reads too unless the listener is loopback (access.ts).
  // Then the rate limit (authenticated mutations only), the deadline, the body limit.
  app.use("*", requireToken({ token: options.token, readsNeedToken: options.readsNeedToken === true }))
  app.use("*", rateLimitMutations({ perMinute, burst: Math.max(1, Math.ceil(perMinute / 10)) }))
  // The backstop fires a little after `respond`'s own deadline, which interrupts the backend effect.
  app.use("*", requestTimeout(timeoutMs + 250, timeoutMs))
  app.use(
    "*",
    bodyLimit({
      maxSize: options.maxBodyBytes,
      onError: () => problemResponse(413, ProblemType.bodyTooLarge, "Payload Too Large", `request body exceeds ${options.maxBodyBytes} bytes`),
    }),
  )

  app.get("/health", () =>
    respond(backend.health ?? Effect.succeed({ status: "ok" as const }), (h) =>
      h.status === "ok" ? Response.json({ status: "ok" }) : problemResponse(503, ProblemType.unhealthy, "Unhealthy", h.reason, { health: "failed" }),
    ),
  )
  app.get("/ready", () =>
    respond(backend.ready, (r) =>
      r.ready ? Response.json({ ready: true }) : problemResponse(503, ProblemType.notReady, "Not Ready", r.reasons.join("; "), { reasons: r.reasons }),
    ),
  )
  app.get("/v1/node", () => respond(backend.nodeInfo, (info) => Response.json(info)))
  app.get("/v1/status", () =>
    backend.statusLine === undefined
      ? problemResponse(404, ProblemType.blank, "Not Found", "this node has no status line")
      : respond(backend.statusLine, (line) => Response.json({ line })),
  )
  app.get("/v1/actors", () => respond(backend.actors, (tree) => Response.json(tree)))
  app.get("/v1/workers", () => respond(backend.workers, (ws) => Response.json(ws)))
  app.get("/v1/fees", () => respond(backend.fees ?? Effect.succeed({ global: 100, shards: {} }), (fees) => Response.json(fees)))
  app.get("/v1/intrinsics", () => respond(backend.intrinsics ?? Effect.succeed([]), (list) => Response.json(list)))
  const consensusUnavailable = (e: ConsensusUnavailable) => problemResponse(503, ProblemType.consensusUnavailable, "Consensus Unavailable", e.reason)
  app.get("/v1/frames/global/head", () => respond(backend.globalHead, (head) => Response.json(head), consensusUnavailable))
  app.get("/v1/frames/global/:n", (c) => {
    const raw = c.req.param("n")
    const n = decodeFrameNumber(raw)
    if (Either.isLeft(n)) {
      return problemResponse(400, ProblemType.invalidRequest, "Invalid frame number", `${JSON.stringify(raw)} is not a frame number (decimal u64)`)
    }
    return respond(
      backend.globalFrame(n.right),
      (frame) => Response.json(frame),
      (e) =>
        e._tag === "FrameNotFound"
          ? problemResponse(404, ProblemType.frameNotFound, "Frame Not Found", `global frame ${e.frameNumber} is not committed (head is ${e.head})`, {
              head: Number(e.head),
            })
          : consensusUnavailable(e),
    )
  })
  app.get("/v1/shards", () => respond(backend.shards ?? Effect.succeed([]), (shards) => Response.json(shards)))
  app.get("/v1/bundles/:id", (c) => {
    const raw = c.req.param("id")
    const id = /^[0-9a-fA-F]{64}$/.test(raw) ? hexBytes(raw) : undefined
    if (id === undefined)
      return problemResponse(400, ProblemType.invalidRequest, "Invalid bundle id", `${JSON.stringify(raw)} is not a bundle id (64 hex digits)`)
    const unknown = { status: "unknown" as const, shard: null, frameNumber: null, reason: null }
    return respond(backend.bundleStatus === undefined ? Effect.succeed(unknown) : backend.bundleStatus(id), (status) => Response.json(status))
  })
  app.get("/v1/peers", () => respond(backend.peers ?? Effect.succeed([]), (peers) => Response.json(peers)))
  // Without a prover registry (a backend with no consensus) the node knows no provers: [] and 404, as /v1/shards.
  app.get("/v1/provers", () => respond(backend.provers ?? Effect.succeed([]), (provers) => Response.json(provers)))
  app.get("/v1/provers/:address", (c) => {
    const raw = c.req.param("address").replace(/^0x/, "")
    const address = /^[0-9a-fA-F]{64}$/.test(raw) ? hexBytes(raw) : undefined
    if (address === undefined)
      return problemResponse(
        400,
        ProblemType.invalidRequest,
        "Invalid prover address",
        `${JSON.stringify(c.req.param("address"))} is not a prover address (64 hex digits)`,
      )
    const lookup = backend.prover ?? (() => Effect.succeed(undefined))
    return respond(lookup(address), (prover) =>
      prover === undefined
        ? problemResponse(404, ProblemType.proverNotFound, "Prover Not Found", `no prover ${raw.toLowerCase()} in the registry`)
        : Response.json(prover),
    )
  })
  app.get("/metrics", () => respond(backend.metrics, (text) => new Response(text, { headers: { "content-type": PROMETHEUS_CONTENT_TYPE } })))

  // Intrinsic queries (spec §11.1 "HTTP routes"): one GET each, the query string is the args
  // object (all strings; the query's schema decodes them on the worker).
  const query = backend.query
  for (const q of intrinsicRoutes.queries) {
    app.get(intrinsicQueryPath(q.intrinsic, q.name), (c) =>
      query === undefined
        ? problemResponse(503, ProblemType.queryUnavailable, "Query Unavailable", "this node runs no data workers")
        : respond(query(q.intrinsic, q.name, c.req.query()), (result) => Response.json(result), queryProblem),
    )
  }
  // Contributed sub-apps, after the queries so a query name cannot be shadowed; the middleware
  // above (token, body limit) and the problem handlers below cover them like any route.
  const queryPaths = new Set(intrinsicRoutes.queries.map((q) => intrinsicQueryPath(q.intrinsic, q.name)))
  const contributed: Array<ContributedRoute> = []
  for (const m of intrinsicRoutes.mounts) {
    // The routes Hono added for this mount, with their merged paths, are what the document lists.
    const before = app.routes.length
    app.route(intrinsicMountPath(m.intrinsic), m.app)
    for (const r of app.routes.slice(before)) {
      const shadowed = r.method === "GET" && queryPaths.has(r.path)
      if (r.method !== "ALL" && !shadowed) contributed.push({ intrinsic: m.intrinsic, method: r.method.toLowerCase(), path: openApiPath(r.path) })
    }
  }
  const openapi = JSON.stringify(makeOpenApiDocument(options.version, intrinsicRoutes.queries, contributed))
  app.get("/openapi.json", () => new Response(openapi, { headers: { "content-type": "application/json" } }))

  app.post("/v1/workers/:core/restart", (c) => {
    const core = decodeCore(c.req.param("core"))
    if (Either.isLeft(core)) {
      return problemResponse(400, ProblemType.invalidRequest, "Invalid worker core", core.left.message)
    }
    return respond(
      backend.restartWorker(core.right),
      () => Response.json({ core: core.right, accepted: true }, { status: 202 }),
      (e) => problemResponse(404, ProblemType.workerNotFound, "Worker Not Found", `no data worker on core ${e.core}`),
    )
  })
  app.post("/v1/log-level", async (c) => {
    const body = await readJson(c, decodeLogLevel)
    if (Either.isLeft(body)) return body.left
    const { level } = body.right
    return respond(backend.setLogLevel(level), () => Response.json({ level }))
  })

  app.post("/v1/bundles", async (c) => {
    const body = await readJson(c, decodeSubmitBundle)
    if (Either.isLeft(body)) return body.left
    const bundle = hexBytes(body.right.bundle)
    if (bundle === undefined || bundle.length === 0)
      return problemResponse(400, ProblemType.invalidRequest, "Invalid request body", "bundle: expected non-empty hex")
    const domain = body.right.domain === undefined ? undefined : hexBytes(body.right.domain, 32)
    if (body.right.domain !== undefined && domain === undefined) {
      return problemResponse(400, ProblemType.invalidRequest, "Invalid request body", "domain: expected 32 bytes of hex")
    }
    const submit = backend.submitBundle
    if (submit === undefined) return problemResponse(503, ProblemType.shardUnavailable, "Shard Unavailable", "this node runs no data workers")
    return respond(submit(bundle, domain), (accepted) => Response.json(accepted, { status: 202 }), submitProblem)
  })

  app.post("/v1/provers/lifecycle", async (c) => {
    const body = await readJson(c, decodeSubmitLifecycle)
    if (Either.isLeft(body)) return body.left
    const submit = backend.submitLifecycle
    if (submit === undefined) return problemResponse(503, ProblemType.lifecycleUnavailable, "Lifecycle Unavailable", "this node runs no global consensus")
    return respond(submit(body.right), (submitted) => Response.json(submitted, { status: 202 }), lifecycleProblem)
  })

  // Under a known intrinsic's prefix, say which queries it has rather than a bare 404.
  const intrinsicNames = new Set([...intrinsicRoutes.queries.map((q) => q.intrinsic), ...intrinsicRoutes.mounts.map((m) => m.intrinsic)])
  app.notFound((c) => {
    const name = /^\/v1\/intrinsics\/([^/]+)\//.exec(c.req.path)?.[1]
    if (name !== undefined && intrinsicNames.has(name)) {
      const queries = intrinsicRoutes.queries.filter((q) => q.intrinsic === name).map((q) => q.name)
      return problemResponse(
        404,
        ProblemType.unknownQuery,
        "Unknown Query",
        `${name} has no route ${c.req.method} ${c.req.path}; its queries: ${queries.join(", ")}`,
      )
    }
    return problemResponse(404, ProblemType.blank, "Not Found", `no route for ${c.req.method} ${c.req.path}`)
  })
  app.onError(async (error) => {
    await run(Effect.logError("admin request threw", error))
    return problemResponse(500, ProblemType.internal, "Internal Server Error", "the request failed; see the node log")
  })
  return app
}

/** The app over the AdminBackend service of the current context. */
export const adminApp = (options: AdminAppOptions) =>
  Effect.gen(function* () {
    const backend = yield* AdminBackend
    const runtime = yield* Effect.runtime<never>()
    return makeAdminApp(backend, runtime, options)
  })
