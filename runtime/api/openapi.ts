// The OpenAPI 3.1 description of the admin API, written by hand next to the routes (app.ts);
// a test checks that every route the app serves is described here and vice versa.
import { JSONSchema, type Schema } from "effect"
import {
  BundleAccepted,
  BundleStatusAnswer,
  GlobalFrameHead,
  GlobalFrameView,
  intrinsicQueryPath,
  type IntrinsicQueryRoute,
  NodeInfo,
  PeerView,
  ProverView,
  SetLogLevelBody,
  ShardStatusView,
  SubmitBundleBody,
  SubmitLifecycleBody,
  LifecycleSubmitted,
  WorkerIntrinsicsView,
  WorkerView,
} from "./backend.ts"

const problem = {
  description: "Problem document (RFC 9457)",
  content: { "application/problem+json": { schema: { $ref: "#/components/schemas/Problem" } } },
}
const json = (schema: object, description: string) => ({ description, content: { "application/json": { schema } } })
const secured = [{ bearerAuth: [] }]

const jsonSchemaOf = <A, I>(schema: Schema.Schema<A, I>): Record<string, unknown> => {
  const { $schema: _ignored, ...rest } = JSONSchema.make(schema, { target: "openApi3.1" }) as unknown as Record<string, unknown>
  return rest
}

/** A route of an intrinsic's contributed sub-app; the contract carries no description of it. */
export interface ContributedRoute {
  readonly intrinsic: string
  /** Lower-case HTTP method. */
  readonly method: string
  /** OpenAPI form (`{param}`). */
  readonly path: string
}

/** Each query's GET: its description, its args as query-string parameters, the problems it answers. */
const queryPaths = (queries: ReadonlyArray<IntrinsicQueryRoute>) =>
  Object.fromEntries(
    queries.map((q) => [
      intrinsicQueryPath(q.intrinsic, q.name),
      {
        get: {
          summary: q.description,
          description: `Query \`${q.name}\` of the ${q.intrinsic} intrinsic, run by a data worker against committed state.`,
          tags: [q.intrinsic],
          parameters: q.parameters.map((p) => ({ name: p.name, in: "query", required: p.required, schema: p.schema })),
          responses: {
            "200": json({}, "The query's result (its encoded form)"),
            "400": problem,
            "404": problem,
            "500": problem,
            "503": problem,
          },
        },
      },
    ]),
  )

/** Contributed routes, grouped by path; anything but GET needs the token (app.ts). */
const contributedPaths = (routes: ReadonlyArray<ContributedRoute>) => {
  const paths: Record<string, Record<string, unknown>> = {}
  for (const r of routes) {
    const readOnly = r.method === "get" || r.method === "head" || r.method === "options"
    paths[r.path] = {
      ...paths[r.path],
      [r.method]: {
        summary: `Route contributed by the ${r.intrinsic} intrinsic`,
        tags: [r.intrinsic],
        ...(readOnly ? {} : { security: secured }),
        responses: {
          default: { description: "Defined by the intrinsic; errors are problem documents" },
          ...(readOnly ? {} : { "401": problem, "413": problem, "429": problem }),
        },
      },
    }
  }
  return paths
}

export const makeOpenApiDocument = (version: string, queries: ReadonlyArray<IntrinsicQueryRoute> = [], contributed: ReadonlyArray<ContributedRoute> = []) => ({
  openapi: "3.1.0",
  info: {
    title: "quilbun admin API",
    version,
    description:
      "Node status, actors, workers and metrics. Mutating routes need `Authorization: Bearer <token>` (the token file in the data directory); " +
      "when the API is bound to a non-loopback address every route but /health needs it (401 otherwise). Mutating routes are rate-limited " +
      "(429 with Retry-After), a request that takes longer than the request timeout is answered 503, and a body over the limit 413.",
  },
  paths: {
    "/health": {
      get: {
        summary: "Liveness: 200 while the process serves requests",
        responses: { "200": json({ type: "object", properties: { status: { const: "ok" } } }, "Alive") },
      },
    },
    "/ready": {
      get: {
        summary: "Readiness: 200 when every worker is running",
        responses: {
          "200": json({ type: "object", properties: { ready: { const: true } } }, "Ready"),
          "503": problem,
        },
      },
    },
    "/v1/node": {
      get: { summary: "Version, node id, uptime, roles and config summary", responses: { "200": json({ $ref: "#/components/schemas/NodeInfo" }, "Node") } },
    },
    "/v1/status": {
      get: {
        summary: "The operator's status line (head, rank, peers, workers, frame interval, memory, shards, mempool), as logged every 30 s",
        responses: {
          "200": json({ type: "object", properties: { line: { type: "string" } }, required: ["line"] }, "Status line"),
          "404": problem,
        },
      },
    },
    "/v1/actors": {
      get: {
        summary: "Live supervision tree of the master and every worker",
        responses: { "200": json({ $ref: "#/components/schemas/ActorTree" }, "Tree") },
      },
    },
    "/v1/workers": {
      get: {
        summary: "Data-worker processes",
        responses: { "200": json({ type: "array", items: { $ref: "#/components/schemas/Worker" } }, "Workers") },
      },
    },
    "/v1/fees": {
      get: {
        summary: "Next fee multiplier of the global chain and of each shard this node's workers cover (last 360 votes, consensus.md §6)",
        responses: {
          "200": json(
            {
              type: "object",
              properties: { global: { type: "integer" }, shards: { type: "object", additionalProperties: { type: "integer" } } },
              required: ["global", "shards"],
            },
            "Fee multipliers",
          ),
        },
      },
    },
    "/v1/intrinsics": {
      get: {
        summary: "Per data worker, the intrinsics its execution host runs (name, version, base domain, op types; plugins also their entry and code hash)",
        responses: { "200": json({ type: "array", items: { $ref: "#/components/schemas/WorkerIntrinsics" } }, "Intrinsics per worker") },
      },
    },
    "/v1/workers/{core}/restart": {
      post: {
        summary: "Restart one data worker (also revives a worker that was given up)",
        security: secured,
        parameters: [
          { name: "core", in: "path", required: true, schema: { type: "string", pattern: "^[1-9][0-9]*$" }, description: "decimal, no sign or leading zeros" },
        ],
        responses: {
          "202": json({ type: "object", properties: { core: { type: "integer" }, accepted: { const: true } } }, "Restart requested"),
          "400": problem,
          "401": problem,
          "404": problem,
          "413": problem,
          "429": problem,
        },
      },
    },
    "/v1/log-level": {
      post: {
        summary: "Change the log level of the master and every worker",
        security: secured,
        requestBody: { required: true, content: { "application/json": { schema: { $ref: "#/components/schemas/SetLogLevel" } } } },
        responses: {
          "200": json({ $ref: "#/components/schemas/SetLogLevel" }, "Level set"),
          "400": problem,
          "401": problem,
          "413": problem,
          "429": problem,
        },
      },
    },
    "/v1/frames/global/head": {
      get: {
        summary: "Committed head of the global chain (selector = hex poseidon(output))",
        responses: { "200": json({ $ref: "#/components/schemas/GlobalFrameHead" }, "Head"), "503": problem },
      },
    },
    "/v1/frames/global/{n}": {
      get: {
        summary: "Committed global frame n: header fields (bytes as hex), requests, the shard updates among them and its quorum certificate",
        description:
          "`shardUpdates` lists the requests that are ProverShardUpdates — certified app-shard frame headers the workers submitted — as `{address, frameNumber}` (shard address in hex, shard frame number).",
        parameters: [{ name: "n", in: "path", required: true, schema: { type: "string", pattern: "^(0|[1-9][0-9]{0,19})$" } }],
        responses: {
          "200": json({ $ref: "#/components/schemas/GlobalFrame" }, "Frame"),
          "400": problem,
          "404": problem,
          "503": problem,
        },
      },
    },
    "/v1/peers": {
      get: {
        summary: "Connected libp2p peers: id, listen addresses, direction, gossipsub score, latency (empty without p2p)",
        responses: { "200": json({ type: "array", items: { $ref: "#/components/schemas/Peer" } }, "Peers") },
      },
    },
    "/v1/provers": {
      get: {
        summary: "The prover registry: address, status, seniority, ring, allocations (status, last-active frame, ring) and unminted reward",
        description:
          "Rewards (consensus.md §9) are credited when a committed global frame carries a certified shard frame: each signer in ring r earns share_r. `reward` is raw units (8e9 per QUIL), `rewardQuil` the same in QUIL.",
        responses: { "200": json({ type: "array", items: { $ref: "#/components/schemas/Prover" } }, "Provers (empty on a node without a registry)") },
      },
    },
    "/v1/provers/{address}": {
      get: {
        summary: "One prover with its reward balance",
        parameters: [{ name: "address", in: "path", required: true, schema: { type: "string", pattern: "^(0x)?[0-9a-fA-F]{64}$" } }],
        responses: { "200": json({ $ref: "#/components/schemas/Prover" }, "Prover"), "400": problem, "404": problem },
      },
    },
    "/v1/provers/lifecycle": {
      post: {
        summary: "Submit a prover lifecycle operation this node builds and signs with its own prover key",
        description:
          "join (the data workers prove the join multiproof against the committed head, consensus §4.6), confirm, reject, leave, pause, resume, " +
          "or delegate (ProverUpdate). The prover registry dry-runs it against the next frame first: 409 with its reason when it would be " +
          "refused (nothing is submitted). 202 once it waits in this node's lifecycle pool and was gossiped to the global provers; a global " +
          "frame carries it and every registry applies it at the committed frame. 400 for malformed filters or delegate, 503 when it cannot " +
          "be built now (no committed frame, no data worker, pool full).",
        security: secured,
        requestBody: { required: true, content: { "application/json": { schema: { $ref: "#/components/schemas/SubmitLifecycle" } } } },
        responses: {
          "202": json({ $ref: "#/components/schemas/LifecycleSubmitted" }, "Submitted"),
          "400": problem,
          "401": problem,
          "409": problem,
          "413": problem,
          "429": problem,
          "503": problem,
        },
      },
    },
    "/v1/bundles": {
      post: {
        summary: "Submit a canonical MessageBundle: routed to its shard and handed to the data worker covering it",
        description:
          "On a devnet a shard nobody covers is allocated to a free data worker (one shard per worker). 202 `pending` once the worker's mempool holds it; " +
          "202 `rejected` with a reason when no worker can cover its shard; 400 when it does not route (malformed, unroutable, unknown op type); " +
          "503 with Retry-After when the shard's mempool is full.",
        security: secured,
        requestBody: { required: true, content: { "application/json": { schema: { $ref: "#/components/schemas/SubmitBundle" } } } },
        responses: {
          "202": json({ $ref: "#/components/schemas/BundleAccepted" }, "Accepted (or its known fate)"),
          "400": problem,
          "401": problem,
          "413": problem,
          "429": problem,
          "503": problem,
        },
      },
    },
    "/v1/bundles/{id}": {
      get: {
        summary: "What the data workers know of a bundle (committed, rejected, pending or unknown)",
        description: "Rejections decided by the master itself (no worker covers the shard) are kept in memory only: they do not survive a restart.",
        parameters: [{ name: "id", in: "path", required: true, schema: { type: "string", pattern: "^[0-9a-fA-F]{64}$" } }],
        responses: { "200": json({ $ref: "#/components/schemas/BundleStatus" }, "Status"), "400": problem },
      },
    },
    "/v1/shards": {
      get: {
        summary: "App shards the data workers cover: head frame, rank, state roots, provers, mempool and bundle counters",
        responses: { "200": json({ type: "array", items: { $ref: "#/components/schemas/Shard" } }, "Shards") },
      },
    },
    "/metrics": {
      get: {
        summary: "Prometheus metrics (text format 0.0.4) of the master and every worker",
        responses: { "200": { description: "Metrics", content: { "text/plain": { schema: { type: "string" } } } } },
      },
    },
    "/openapi.json": {
      get: { summary: "This document", responses: { "200": json({ type: "object" }, "OpenAPI 3.1 document") } },
    },
    ...queryPaths(queries),
    ...contributedPaths(contributed),
  },
  components: {
    securitySchemes: { bearerAuth: { type: "http", scheme: "bearer" } },
    schemas: {
      Problem: {
        type: "object",
        required: ["type", "title", "status", "detail"],
        properties: {
          type: { type: "string" },
          title: { type: "string" },
          status: { type: "integer" },
          detail: { type: "string" },
        },
      },
      NodeInfo: jsonSchemaOf(NodeInfo),
      Worker: jsonSchemaOf(WorkerView),
      WorkerIntrinsics: jsonSchemaOf(WorkerIntrinsicsView),
      SetLogLevel: jsonSchemaOf(SetLogLevelBody),
      GlobalFrameHead: jsonSchemaOf(GlobalFrameHead),
      GlobalFrame: jsonSchemaOf(GlobalFrameView),
      Peer: jsonSchemaOf(PeerView),
      Prover: jsonSchemaOf(ProverView),
      SubmitBundle: jsonSchemaOf(SubmitBundleBody),
      SubmitLifecycle: jsonSchemaOf(SubmitLifecycleBody),
      LifecycleSubmitted: jsonSchemaOf(LifecycleSubmitted),
      BundleAccepted: jsonSchemaOf(BundleAccepted),
      BundleStatus: jsonSchemaOf(BundleStatusAnswer),
      Shard: jsonSchemaOf(ShardStatusView),
      ActorTree: {
        type: "object",
        required: ["name", "children"],
        properties: { name: { type: "string" }, children: { type: "array", items: { $ref: "#/components/schemas/ActorTree" } } },
        additionalProperties: true,
      },
    },
  },
})
