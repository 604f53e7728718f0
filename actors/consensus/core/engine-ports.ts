// How the HotStuff core reaches the outside. The core does no I/O (dependency-cruiser rule
// consensus-core-does-no-io): the chain's engine shell (e.g. actors/consensus/global/engine.ts) wires
// these ports to the Store, the Transport and the actor's timers.
import type { Effect } from "effect"
import type { CertifiedFrame } from "./chain-kind.ts"
import type { LivenessState } from "./rank-tracker.ts"
import type { ConsensusState } from "./safety-rules.ts"

/** One record of the consensus state the shell stores (its row layout is the shell's business). */
export type StateRecord<F, P> =
  | { readonly _tag: "Safety"; readonly state: ConsensusState }
  | { readonly _tag: "Liveness"; readonly state: LivenessState }
  | { readonly _tag: "Committed"; readonly certified: CertifiedFrame<F> }
  | { readonly _tag: "Head"; readonly frameNumber: bigint }
  | { readonly _tag: "Proposal"; readonly rank: bigint; readonly selector: Uint8Array; readonly proposal: P }

/** A validated, uncommitted proposal kept for restart replay, by rank and selector. */
export interface StoredProposalKey {
  readonly rank: bigint
  readonly selector: Uint8Array
}

export type StateWrite<F, P> =
  | { readonly _tag: "Put"; readonly record: StateRecord<F, P> }
  | { readonly _tag: "DeleteProposal"; readonly key: StoredProposalKey }

/** What the store held at start. */
interface LoadedState<F, P> {
  readonly committed: CertifiedFrame<F> | undefined
  readonly safety: ConsensusState | undefined
  readonly liveness: LivenessState | undefined
  /** Ascending by rank. */
  readonly proposals: ReadonlyArray<P>
}

/** A long catch-up's progress lines (runtime/network/sync-progress.ts behind the port). */
export interface SyncProgressTracker {
  readonly isEnded: boolean
  readonly advanceTo: (position: number) => Effect.Effect<void>
  readonly retarget: (target: number) => Effect.Effect<void>
  readonly stop: (reason: string) => Effect.Effect<void>
}

export interface EnginePorts<F, P> {
  /** This node's transport peer id. */
  readonly peerId: string
  /** Currently connected peers. */
  readonly peers: Effect.Effect<ReadonlyArray<string>>
  /** Publish on the chain's consensus bitmask. */
  readonly publish: (payload: Uint8Array) => Effect.Effect<void>
  /** Write all records in one durable transaction (Store.commit); returns once they are durable. */
  readonly persist: (writes: ReadonlyArray<StateWrite<F, P>>) => Effect.Effect<void>
  readonly load: Effect.Effect<LoadedState<F, P>>
  /** Keys of the stored, uncommitted proposals (read synchronously, as the store allows). */
  readonly storedProposalKeys: () => ReadonlyArray<StoredProposalKey>
  /** Committed frames from `from`, at most `max`, stopping at a gap; and the committed head number. */
  readonly readCommitted: (from: bigint, max: number) => Effect.Effect<{ readonly headFrameNumber: bigint; readonly frames: ReadonlyArray<CertifiedFrame<F>> }>
  /** Tell LocalTimeout{epoch} after `ms` (replacing any earlier timer). */
  readonly armTimer: (ms: number, epoch: number) => Effect.Effect<void>
  /** Tell ProposeDue{rank} after `ms`. */
  readonly proposeAfter: (ms: number, rank: bigint) => Effect.Effect<void>
  /** Run a sync request as its own fiber and tell SyncAnswered with the result. */
  readonly requestSync: (peer: string, request: Uint8Array) => Effect.Effect<void>
  readonly startSyncProgress: (from: number, target: number, peer: string) => Effect.Effect<SyncProgressTracker>
  /** After each commit, the newly committed frames, oldest first. */
  readonly committed: (frames: ReadonlyArray<CertifiedFrame<F>>) => void
  /**
   * Optional, awaited after `committed`: apply the newly committed frames (an app shard executes their
   * bundles here). The engine handles nothing else until it returns, so a frame validated after it sees
   * the post-state (ChainKind.settleBeforeValidation).
   */
  readonly executeCommitted?: (frames: ReadonlyArray<CertifiedFrame<F>>) => Effect.Effect<void>
  /** A proposer signed two frames at one rank (§4.3 step 7): the second frame, the first, its index. */
  readonly doubleProposal: (second: F, first: F, proposerIndex: number) => void
}
