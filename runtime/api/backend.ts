// What the admin API needs from the node. The HTTP layer stays thin: every route is one of these
// effects, implemented by the node assembly (runtime/node) over its actors and worker manager.
import { Context, Data, Schema, type Effect } from "effect"
import type { Hono } from "hono"
import { LogLevelName } from "../kernel/logging.ts"
import { WorkerState } from "../kernel/process/worker-slot.ts"

export const WorkerView = Schema.Struct({
  core: Schema.Int,
  pid: Schema.NullOr(Schema.Int),
  state: WorkerState,
  restarts: Schema.Int,
  uptimeMs: Schema.Number,
  /** App filters (hex) of the shards whose network traffic the master relays to this worker. */
  shards: Schema.Array(Schema.String),
})
export type WorkerView = typeof WorkerView.Type

/** The intrinsics one data worker executes (its execution host's registry); `error` when it did not answer. */
export const WorkerIntrinsicsView = Schema.Struct({
  core: Schema.Int,
  intrinsics: Schema.Array(Schema.Struct({ name: Schema.String, version: Schema.String, baseDomain: Schema.String, opTypes: Schema.Array(Schema.Number) })),
  error: Schema.optional(Schema.String),
})
type WorkerIntrinsicsView = typeof WorkerIntrinsicsView.Type

export const NodeInfo = Schema.Struct({
  version: Schema.String,
  nodeId: Schema.String,
  uptimeMs: Schema.Number,
  roles: Schema.Array(Schema.String),
  pid: Schema.Int,
  /** Configuration summary; never contains secrets. */
  config: Schema.Record({ key: Schema.String, value: Schema.Unknown }),
  /** Read back from the node's own store: boots so far and the last committed heartbeat. */
  store: Schema.optional(Schema.Struct({ boots: Schema.Int, heartbeat: Schema.Int })),
})
export type NodeInfo = typeof NodeInfo.Type

/** A node of the live supervision tree (master and workers merged). */
export interface ActorTreeNode {
  readonly name: string
  readonly [field: string]: unknown
  readonly children: ReadonlyArray<ActorTreeNode>
}

/** `failed` once the node gave up (it is about to exit); /health answers 503 then. */
type Health = { readonly status: "ok" } | { readonly status: "failed"; readonly reason: string }

interface Readiness {
  readonly ready: boolean
  readonly reasons: ReadonlyArray<string>
}

export class WorkerNotFound extends Data.TaggedError("WorkerNotFound")<{ readonly core: number }> {}

/** The committed global head; `selector` = hex poseidon(header.output). */
export const GlobalFrameHead = Schema.Struct({
  frameNumber: Schema.Number,
  rank: Schema.Number,
  selector: Schema.String,
  /** Header timestamp, Unix ms. */
  timestamp: Schema.Number,
})
export type GlobalFrameHead = typeof GlobalFrameHead.Type

const Hex = Schema.String.annotations({ description: "hex bytes" })

/** A committed global frame: its header fields (bytes as hex), its requests and the QC that certifies it. */
export const GlobalFrameView = Schema.Struct({
  frameNumber: Schema.Number,
  rank: Schema.Number,
  timestamp: Schema.Number,
  difficulty: Schema.Number,
  selector: Hex,
  parentSelector: Hex,
  output: Hex,
  prover: Hex,
  proverTreeCommitment: Hex,
  requestsRoot: Hex,
  globalCommitments: Schema.Array(Hex),
  signature: Schema.NullOr(Schema.Struct({ signature: Hex, publicKey: Schema.NullOr(Hex), bitmask: Hex })),
  requests: Schema.Array(Hex),
  quorumCertificate: Schema.Struct({ rank: Schema.Number, frameNumber: Schema.Number, selector: Hex, timestamp: Schema.Number }),
})
export type GlobalFrameView = typeof GlobalFrameView.Type

/** A connected libp2p peer (multi-process devnet); `score` is the gossipsub score. */
export const PeerView = Schema.Struct({
  id: Schema.String,
  addresses: Schema.Array(Schema.String),
  direction: Schema.Literal("inbound", "outbound"),
  score: Schema.Number,
  /** Last measured round-trip time, null before the first measurement. */
  latencyMs: Schema.NullOr(Schema.Number),
})
export type PeerView = typeof PeerView.Type

export class FrameNotFound extends Data.TaggedError("FrameNotFound")<{ readonly frameNumber: bigint; readonly head: bigint }> {}

/** The node runs no global consensus (e.g. not a devnet yet), or it did not answer. */
export class ConsensusUnavailable extends Data.TaggedError("ConsensusUnavailable")<{ readonly reason: string }> {}

// The prefix intrinsics/contract's intrinsicRoutePrefix names (the API cannot import the contract).
/** Where an intrinsic's contributed sub-app is mounted. */
export const intrinsicMountPath = (intrinsic: string): string => `/v1/intrinsics/${intrinsic}`
/** The GET route of an intrinsic's query. */
export const intrinsicQueryPath = (intrinsic: string, query: string): string => `${intrinsicMountPath(intrinsic)}/${query}`

/** A query-string parameter of an intrinsic query route (JSON Schema of its encoded form). */
interface IntrinsicQueryParameter {
  readonly name: string
  readonly required: boolean
  readonly schema: Readonly<Record<string, unknown>>
}

/** A query an intrinsic serves at `GET /v1/intrinsics/<intrinsic>/<name>?<args>`. */
export interface IntrinsicQueryRoute {
  readonly intrinsic: string
  readonly name: string
  readonly description: string
  readonly parameters: ReadonlyArray<IntrinsicQueryParameter>
}

/** Routes an intrinsic contributes (a Hono sub-app), mounted under `/v1/intrinsics/<intrinsic>/`. */
interface IntrinsicHttpMount {
  readonly intrinsic: string
  readonly app: Hono
}

/** Everything the admin API serves under `/v1/intrinsics/<name>/`, fixed when the node starts. */
export interface IntrinsicRoutes {
  readonly queries: ReadonlyArray<IntrinsicQueryRoute>
  readonly mounts: ReadonlyArray<IntrinsicHttpMount>
}

/** The execution host refused or failed the query (its QueryFailed kinds). */
export class IntrinsicQueryFailed extends Data.TaggedError("IntrinsicQueryFailed")<{
  readonly kind: "unknown-intrinsic" | "unknown-query" | "bad-request" | "not-found" | "failed"
  readonly reason: string
}> {}

/** No data worker answered the query (none running, it died, or the ask timed out). */
export class QueryUnavailable extends Data.TaggedError("QueryUnavailable")<{ readonly reason: string }> {}

/** The node does not take the bundle. */
export class SubmitRejected extends Data.TaggedError("SubmitRejected")<{ readonly reason: string }> {}

/** Why every submission is rejected until app shards accept bundles; the CLI says the same. */
export const SUBMISSION_PENDING = "bundle submission arrives with app shards (POST /v1/bundles)"

export const SetLogLevelBody = Schema.Struct({ level: LogLevelName })
export type SetLogLevelBody = typeof SetLogLevelBody.Type

export interface AdminBackendService {
  readonly nodeInfo: Effect.Effect<NodeInfo>
  readonly ready: Effect.Effect<Readiness>
  /** Absent: always ok (a backend with nothing that can give up). */
  readonly health?: Effect.Effect<Health>
  readonly actors: Effect.Effect<ActorTreeNode>
  readonly workers: Effect.Effect<ReadonlyArray<WorkerView>>
  /** Per data worker, the intrinsics its execution host runs; absent (served as []) in backends without workers. */
  readonly intrinsics?: Effect.Effect<ReadonlyArray<WorkerIntrinsicsView>>
  /** `GET /v1/fees`: the fee multipliers (consensus.md §6); absent in backends without a fee manager. */
  readonly fees?: Effect.Effect<FeesView>
  readonly restartWorker: (core: number) => Effect.Effect<void, WorkerNotFound>
  readonly setLogLevel: (level: LogLevelName) => Effect.Effect<void>
  /** The committed head of the global chain. */
  readonly globalHead: Effect.Effect<GlobalFrameHead, ConsensusUnavailable>
  /** Committed global frame `frameNumber`. */
  readonly globalFrame: (frameNumber: bigint) => Effect.Effect<GlobalFrameView, FrameNotFound | ConsensusUnavailable>
  /** Connected peers; absent (served as an empty list) when the node runs no p2p host. */
  readonly peers?: Effect.Effect<ReadonlyArray<PeerView>>
  /** Prometheus text of the whole node (master and workers). */
  readonly metrics: Effect.Effect<string>
  /** The intrinsics' query routes and contributed sub-apps; absent (none served) in backends without intrinsics. */
  readonly intrinsicRoutes?: IntrinsicRoutes
  /** Runs `intrinsic`'s query `name` on a data worker; the answer is the query's encoded (JSON-ready) result. */
  readonly query?: (intrinsic: string, name: string, args: unknown) => Effect.Effect<unknown, IntrinsicQueryFailed | QueryUnavailable>
  /** Hands a canonical MessageBundle to the node. */
  readonly submitBundle?: (bundle: Uint8Array) => Effect.Effect<void, SubmitRejected>
}

/** The next fee multiplier of the global chain and of each shard a worker covers (hex address → multiplier). */
interface FeesView {
  readonly global: number
  readonly shards: Readonly<Record<string, number>>
}

export class AdminBackend extends Context.Tag("quilbun/AdminBackend")<AdminBackend, AdminBackendService>() {}
