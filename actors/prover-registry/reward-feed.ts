// What the registry needs to follow the committed global chain: the committed frames' ProverShardUpdates,
// each with the inputs of its reward (consensus.md §4.5 step 3, §9), and their prover lifecycle requests (§8.3). A port, so the registry stays below the
// consensus that produces the frames (the consensus side implements it over its committed chain).
import { Context, type Effect } from "effect"
import type { JoinChallenge } from "../../intrinsics/global/index.ts"

/** One certified shard frame a committed global frame carried, with what its reward depends on. */
export interface ShardFrameCredit {
  /** The shard's address (its confirmation filter). */
  readonly shard: Uint8Array
  /** The shard frame's difficulty (the reward uses the shard frame's, §9). */
  readonly difficulty: bigint
  /** The QC aggregate's signer bitmask over the committee the update was validated against. */
  readonly bitmask: Uint8Array
  /** Bytes of the whole world (`hypergraph.GetSize()`). */
  readonly worldSize: bigint
  /** Bytes of the shard's state (`metadata[0].Size`). */
  readonly stateSize: bigint
  /** The shard's leaf count (`metadata[0].LeafCount`; 0 is read as 1). */
  readonly leafCount: bigint
}

export interface CommittedCredits {
  readonly globalFrameNumber: bigint
  readonly updates: ReadonlyArray<ShardFrameCredit>
  /** The frame's prover lifecycle requests (canonical bytes, in frame order), applied before its updates are paid (D-REG-7). */
  readonly lifecycle?: ReadonlyArray<Uint8Array>
}

export interface RewardFeedService {
  /** The committed global head's frame number. */
  readonly committedHead: Effect.Effect<bigint>
  /** Committed frames from..to (inclusive, ascending), each with its shard updates (possibly none). */
  readonly committed: (from: bigint, to: bigint) => Effect.Effect<ReadonlyArray<CommittedCredits>>
  /** The VDF challenge of committed global frame `n` (SHA3-256 of its output, its difficulty), for a join's multiproof; without it joins are refused. */
  readonly joinChallenge?: (n: bigint) => Effect.Effect<JoinChallenge | undefined>
}

/** Optional: a registry without a feed (a worker, a unit test) pays nothing. */
export class RewardFeed extends Context.Tag("quilbun/prover-registry/RewardFeed")<RewardFeed, RewardFeedService>() {}
