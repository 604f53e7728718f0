// Typed failures of the testnet kit (testnet.ts): each says what a test did wrong or what the network
// did not do, and none changes the testnet's state.
import { Data } from "effect"

/** The bundle does not route (malformed, unknown op type, ...): a node's `400`. */
export class BundleInvalid extends Data.TaggedError("BundleInvalid")<{ readonly reason: string; readonly detail: string }> {}

/** The shard decided the bundle and refused it (validation, expiry): `GET /v1/bundles/{id}` "rejected". */
export class BundleRejected extends Data.TaggedError("BundleRejected")<{
  readonly id: string
  readonly shard: string
  readonly frameNumber: bigint | null
  readonly reason: string
}> {}

/** The shard's mempool on that node is full: a node's `503`. */
export class ShardBusy extends Data.TaggedError("ShardBusy")<{ readonly shard: string; readonly retryAfterMs: number }> {}

/** Every shard slot (`shards`) covers another shard already: the node's "no data worker covers shard". */
export class NoFreeShard extends Data.TaggedError("NoFreeShard")<{ readonly shard: string; readonly shards: number }> {}

/** `roots` of a shard the testnet does not cover. */
export class UnknownShard extends Data.TaggedError("UnknownShard")<{ readonly shard: string }> {}

/** The node index is outside the testnet. */
export class NoSuchNode extends Data.TaggedError("NoSuchNode")<{ readonly node: number; readonly nodes: number }> {}

/** The node is crashed (submit, query, crash), or running (restart). */
export class NodeNotRunning extends Data.TaggedError("NodeNotRunning")<{ readonly node: number }> {}
export class NodeRunning extends Data.TaggedError("NodeRunning")<{ readonly node: number }> {}

/** What the test waited for did not happen within `timeoutMs` of virtual time (e.g. no quorum). */
export class TestnetTimedOut extends Data.TaggedError("TestnetTimedOut")<{ readonly waitingFor: string; readonly virtualMs: number }> {}

/** `advanceTime` needs a finite, non-negative number of virtual milliseconds. */
export class InvalidDuration extends Data.TaggedError("InvalidDuration")<{ readonly ms: number }> {}

/** The intrinsic's query failed on the node (unknown query, bad arguments, not found, ...). */
export class TestnetQueryFailed extends Data.TaggedError("TestnetQueryFailed")<{ readonly kind: string; readonly reason: string }> {}

export type TestnetError =
  | BundleInvalid
  | BundleRejected
  | ShardBusy
  | NoFreeShard
  | UnknownShard
  | NoSuchNode
  | NodeNotRunning
  | NodeRunning
  | TestnetTimedOut
  | InvalidDuration
  | TestnetQueryFailed
