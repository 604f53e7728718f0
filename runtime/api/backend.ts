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
  intrinsics: Schema.Array(
    Schema.Struct({
      name: Schema.String,
      version: Schema.String,
      baseDomain: Schema.String,
      opTypes: Schema.Array(Schema.Number),
      /** Plugins only: the configured entry and the SHA-256 of its source files (runtime/node/plugins.ts). */
      plugin: Schema.optional(Schema.String),
      codeHash: Schema.optional(Schema.String),
    }),
  ),
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
  /** The requests that are ProverShardUpdates: which shard's certified header, at which shard frame. */
  shardUpdates: Schema.Array(
    Schema.Struct({
      address: Hex.annotations({ description: "the shard's app address (hex)" }),
      frameNumber: Schema.Number.annotations({ description: "the certified app-shard frame the update carries" }),
    }),
  ).annotations({
    description:
      "Certified app-shard headers this frame carries as ProverShardUpdate requests (consensus §4.5), in request order: the shard's address and the shard frame number.",
  }),
  quorumCertificate: Schema.Struct({ rank: Schema.Number, frameNumber: Schema.Number, selector: Hex, timestamp: Schema.Number }),
})
export type GlobalFrameView = typeof GlobalFrameView.Type

/** `GET /v1/provers`: a prover of the registry with its allocations and unminted reward (consensus.md §8.1, §9). */
export const ProverView = Schema.Struct({
  address: Hex,
  status: Schema.String,
  seniority: Schema.String.annotations({ description: "u64, decimal" }),
  /** The ring that pays its shard-frame rewards (§8.5 over the committee the shard updates use); null when not active there. */
  ring: Schema.NullOr(Schema.Number),
  /** Where its rewards go (`reward:ProverReward.DelegateAddress`): itself unless a ProverUpdate named another address. */
  delegate: Hex,
  /** Reward balance in raw units (decimal; 8,000,000,000 per QUIL). */
  reward: Schema.String,
  /** The same balance in QUIL, twelve places (exact: a raw unit is 0.000000000125 QUIL). */
  rewardQuil: Schema.String,
  allocations: Schema.Array(
    Schema.Struct({
      filter: Hex.annotations({ description: "confirmation filter: empty for the global committee, else the shard address" }),
      status: Schema.String,
      ring: Schema.NullOr(Schema.Number),
      joinFrameNumber: Schema.String,
      since: Schema.String.annotations({
        description:
          "the frame its status began at (decimal): the join, its confirmation or a resume, the pause, the leave, the leave's confirmation or a rejected join, the kick",
      }),
      lastActiveFrameNumber: Schema.String.annotations({ description: "the global frame that last carried a shard frame it signed (0: never)" }),
    }),
  ),
})
export type ProverView = typeof ProverView.Type

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

/** `POST /v1/bundles` body: a canonical MessageBundle (hex) and, for operations that name no target, its domain. */
export const SubmitBundleBody = Schema.Struct({
  bundle: Schema.String.annotations({ description: "a canonical MessageBundle, hex" }),
  domain: Schema.optional(Schema.String.annotations({ description: "the 32-byte domain the bundle is sent to, hex" })),
})

/** What `POST /v1/bundles` answers (202): the bundle's id (SHA3-256 of its bytes), its shard and where it stands. */
export const BundleAccepted = Schema.Struct({
  id: Hex,
  shard: Hex,
  status: Schema.Literal("pending", "committed", "rejected"),
  /** Why it was rejected (e.g. no data worker covers its shard). */
  reason: Schema.optional(Schema.String),
})
export type BundleAccepted = typeof BundleAccepted.Type

/** `GET /v1/bundles/{id}`: what the node knows of a bundle. */
export const BundleStatusAnswer = Schema.Struct({
  status: Schema.Literal("pending", "committed", "rejected", "unknown"),
  shard: Schema.NullOr(Hex),
  /** The app-shard frame that decided it; null while pending or unknown. */
  frameNumber: Schema.NullOr(Schema.Number),
  reason: Schema.NullOr(Schema.String),
})
export type BundleStatusAnswer = typeof BundleStatusAnswer.Type

/** `GET /v1/shards`: one app shard a data worker covers. */
export const ShardStatusView = Schema.Struct({
  address: Hex,
  frameNumber: Schema.Number,
  rank: Schema.Number,
  /** Vertex-adds, vertex-removes, hyperedge-adds, hyperedge-removes roots after that frame. */
  stateRoots: Schema.Array(Hex),
  provers: Schema.Number,
  /** The data worker covering it. */
  core: Schema.Int,
  halted: Schema.Boolean,
  mempool: Schema.Number,
  bundlesCommitted: Schema.Number,
  bundlesRejected: Schema.Number,
  /** Equivocations (double proposals, double votes) the shard's consensus on that worker recorded. */
  equivocations: Schema.Number,
})
export type ShardStatusView = typeof ShardStatusView.Type

/** The bundle cannot be routed: `reason` is the routing failure (malformed, unroutable, unknown-op-type, ...). */
export class BundleInvalid extends Data.TaggedError("BundleInvalid")<{ readonly reason: string; readonly detail: string }> {}

/** The shard's mempool is full; the client retries after `retryAfterMs`. */
export class ShardBusy extends Data.TaggedError("ShardBusy")<{ readonly shard: string; readonly retryAfterMs: number }> {}

/** The worker covering the shard did not answer (restarting, stopped, or the ask timed out). */
export class ShardUnavailable extends Data.TaggedError("ShardUnavailable")<{ readonly reason: string }> {}

/** `POST /v1/provers/lifecycle`: which operation this node builds from its own prover key (intrinsics/global). */
export const LifecycleOperationName = Schema.Literal("join", "confirm", "reject", "leave", "pause", "resume", "delegate")
export type LifecycleOperationName = typeof LifecycleOperationName.Type
export const SubmitLifecycleBody = Schema.Struct({
  operation: LifecycleOperationName,
  filters: Schema.optional(
    Schema.Array(Schema.String).annotations({
      description: "shard filters (32–64 bytes of hex each): join/confirm/reject/leave take one or more, pause/resume exactly one",
    }),
  ),
  delegate: Schema.optional(Schema.String.annotations({ description: "delegate: the reward address (32 bytes of hex); join: optional" })),
})
export type SubmitLifecycleBody = typeof SubmitLifecycleBody.Type
/** What `POST /v1/provers/lifecycle` answers (202): the request is pooled here and gossiped to the global provers. */
export const LifecycleSubmitted = Schema.Struct({
  operation: LifecycleOperationName,
  /** This node's prover address (hex). */
  address: Hex,
  /** The global frame the operation is signed at (a join proves against it). */
  frameNumber: Schema.Number,
  /** SHA3-256 of the request bytes (the MessageBundle a global frame carries). */
  id: Hex,
  status: Schema.Literal("pending"),
})
export type LifecycleSubmitted = typeof LifecycleSubmitted.Type
/** The request names no valid operation for this node (bad filters, a missing delegate, ...): nothing was built. */
export class LifecycleInvalid extends Data.TaggedError("LifecycleInvalid")<{ readonly detail: string }> {}
/** The prover registry says the operation would be refused at the next frame (its reason): nothing was submitted. */
export class LifecycleRefused extends Data.TaggedError("LifecycleRefused")<{ readonly reason: string; readonly appliedThrough: bigint }> {}
/** The operation could not be built or pooled now (no committed frame yet, no worker for the join proof, pool full). */
export class LifecycleUnavailable extends Data.TaggedError("LifecycleUnavailable")<{ readonly reason: string }> {}

export const SetLogLevelBody = Schema.Struct({ level: LogLevelName })
export type SetLogLevelBody = typeof SetLogLevelBody.Type

export interface AdminBackendService {
  readonly nodeInfo: Effect.Effect<NodeInfo>
  /** The operator's status line (`status head=… rank=… …`), as the node logs it every 30 s; absent: 404. */
  readonly statusLine?: Effect.Effect<string>
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
  /** `POST /v1/bundles`: routes a canonical MessageBundle to the worker covering its shard; absent = 503. */
  readonly submitBundle?: (bundle: Uint8Array, domain: Uint8Array | undefined) => Effect.Effect<BundleAccepted, BundleInvalid | ShardBusy | ShardUnavailable>
  /** `GET /v1/bundles/{id}`; absent: every id is unknown. */
  readonly bundleStatus?: (id: Uint8Array) => Effect.Effect<BundleStatusAnswer>
  /** `GET /v1/shards`; absent: none. */
  readonly shards?: Effect.Effect<ReadonlyArray<ShardStatusView>>
  /** `GET /v1/provers`: the prover registry, sorted by address; absent (no registry): an empty list. */
  readonly provers?: Effect.Effect<ReadonlyArray<ProverView>>
  /** `GET /v1/provers/{address}`: one prover, undefined when unknown; absent: every address is unknown (404). */
  readonly prover?: (address: Uint8Array) => Effect.Effect<ProverView | undefined>
  /** `POST /v1/provers/lifecycle`: builds, checks and submits this node's own lifecycle operation; absent: 503. */
  readonly submitLifecycle?: (body: SubmitLifecycleBody) => Effect.Effect<LifecycleSubmitted, LifecycleInvalid | LifecycleRefused | LifecycleUnavailable>
}

/** The next fee multiplier of the global chain and of each shard a worker covers (hex address → multiplier). */
interface FeesView {
  readonly global: number
  readonly shards: Readonly<Record<string, number>>
}

export class AdminBackend extends Context.Tag("quilbun/AdminBackend")<AdminBackend, AdminBackendService>() {}
