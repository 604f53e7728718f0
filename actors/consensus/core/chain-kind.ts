// What differs between the global chain and an app-shard chain for the HotStuff core (consensus.md §3,
// §4): the filter and bitmask, the frame and proposal types with their codecs, how a frame is validated
// against its parent and produced by a leader, and genesis. Everything else — pacemaker, safety rules,
// vote and timeout aggregation, Forks and commit, sync — is the same code for every chain, the way
// ReelKind<F> parametrises the time reel (actors/time-reel/reel-kind.ts).
import type { Effect, Either } from "effect"
import type { BlsVerifier, FrameVdf, Poseidon, ProverSigner } from "../../../crates/ts/services.ts"
import type { CertificateRejection } from "./certificate-rejection.ts"
import type { FrameRejection } from "./frame-rejection.ts"
import type { ProposalVote } from "./messages/proposal-vote.ts"
import type { QuorumCertificate } from "./messages/quorum-certificate.ts"
import type { BLS48581AggregateSignature } from "./messages/signatures.ts"
import type { TimeoutCertificate } from "./messages/timeout-certificate.ts"
import type { TimeoutState } from "./messages/timeout-state.ts"
import type { ActiveProver } from "./prover-ring.ts"
import type { VerifiedCertificates } from "./verified-certificates.ts"

/** The crypto services validation and production need. */
export type ValidationServices = Poseidon | BlsVerifier | FrameVdf | ProverSigner

/** The header fields the core reads; global and app-shard headers both have them. */
interface ChainFrameHeader {
  readonly rank: bigint
  readonly frameNumber: bigint
  /** VDF output; the frame's selector is poseidon(output). */
  readonly output: Uint8Array
  readonly parentSelector: Uint8Array
  readonly prover: Uint8Array
}

export interface ChainFrame {
  readonly header: ChainFrameHeader
}

/** GlobalProposal and AppShardProposal share this shape (consensus.md §1.10). */
export interface ChainProposal<F> {
  readonly state: F
  readonly parentQuorumCertificate: QuorumCertificate
  readonly priorRankTimeoutCertificate?: TimeoutCertificate | undefined
  readonly vote: ProposalVote
}

/** A committed frame (header signature = its QC's aggregate, §1.4 step 3) with that QC. */
export interface CertifiedFrame<F> {
  readonly frame: F
  readonly qc: QuorumCertificate
}

/** Consensus traffic on the chain's bitmask, told apart by type prefix. */
export type ConsensusWireMessage<P> =
  | { readonly _tag: "Proposal"; readonly proposal: P }
  | { readonly _tag: "Vote"; readonly vote: ProposalVote }
  | { readonly _tag: "Timeout"; readonly timeout: TimeoutState }
  | { readonly _tag: "Undecodable"; readonly detail: string }

export interface SyncRequest {
  readonly fromFrameNumber: bigint
  readonly limit: number
}

export interface SyncResponse<F, P> {
  /** The server's committed head frame number when it answered: the target of a catch-up. */
  readonly headFrameNumber: bigint
  /** Committed frames from `fromFrameNumber`, ascending, each with its QC. */
  readonly frames: ReadonlyArray<CertifiedFrame<F>>
  /** The server's validated proposals above its committed head, ascending by rank. */
  readonly proposals: ReadonlyArray<P>
}

/** A leader's new frame before it is signed: the signature arrives as the proposer's vote (§1.4 step 2). */
interface ProducedFrame<F> {
  readonly output: Uint8Array
  readonly frameNumber: bigint
  readonly seal: (signature: BLS48581AggregateSignature) => F
}

/**
 * The frames this node holds by selector — validated uncommitted states and the committed root — so a
 * chain kind can walk a frame's ancestry (the app chain derives its state roots from it, D-APP-1).
 * Added for app shards; the global chain kind ignores it.
 */
export interface FrameBranch<F> {
  readonly frame: (selector: Uint8Array) => F | undefined
}

interface ProduceFrameInput<F> {
  readonly parent: F
  /** Ancestry of `parent` as this node knows it. */
  readonly branch: FrameBranch<F>
  readonly rank: bigint
  readonly nowMs: bigint
  readonly proverIndex: number
  /** VDF difficulty for a frame at `rank` whose header carries `timestamp` (§1.5 step 7). */
  readonly difficulty: (rank: bigint, timestamp: bigint) => number
}

/** A committee and its verified-certificate cache (committee-source.ts). */
interface CheckCommittee {
  readonly committee: ReadonlyArray<ActiveProver>
  readonly verified: VerifiedCertificates
}

interface ProposalCheckContext extends CheckCommittee {
  readonly network: number
  readonly genesis: QuorumCertificate
  /** The parent frame's committee, for the parent QC (app D-APP-18); absent: `committee`. */
  readonly parent?: CheckCommittee
  /** The prior-rank TC's committee (a child of its newest QC's frame); absent: `committee`. */
  readonly timeout?: CheckCommittee
}

export interface ChainKind<F extends ChainFrame, P extends ChainProposal<F>> {
  /** For log lines ("global", "app"). */
  readonly name: string
  /** Empty for the global chain; the shard address for an app chain. */
  readonly filter: Uint8Array
  /** The pubsub bitmask consensus traffic travels on. */
  readonly bitmask: Uint8Array
  /** The genesis frame every node derives from its config (§1.7). */
  readonly genesisFrame: (params: { readonly timestamp: bigint; readonly difficulty: number }) => F
  /** `ValidateProposal` (§3.9) without the frame-level checks. */
  readonly validateProposal: (proposal: P, context: ProposalCheckContext) => Effect.Effect<void, CertificateRejection, ValidationServices>
  /**
   * Frame-level checks of `frame` against its parent (§1.1–1.4, §1.9). `branch` is given when the frame
   * arrives in a proposal (not yet certified); committed frames adopted from sync come without it.
   */
  readonly validateFrame: (
    frame: F,
    committee: ReadonlyArray<ActiveProver>,
    parent: F,
    branch?: FrameBranch<F>,
  ) => Effect.Effect<unknown, FrameRejection, ValidationServices>
  /**
   * When true, the engine first commits what a proposal's (verified) parent QC finalizes — persisted and
   * handed to `EnginePorts.executeCommitted` — before it validates the proposal's frame, and what the
   * newest QC finalized before it produces one: the app chain's headers carry state roots of a frame
   * that QC finalizes (D-APP-1). Absent (the global chain): one commit per handled message.
   */
  readonly settleBeforeValidation?: boolean
  /**
   * Asked by a leader before it produces a child of `parent` at `rank`: a reason to wait instead (the
   * engine asks again shortly, while the rank is current), or undefined to go ahead. Honest-leader pacing only, not
   * a validity rule: validators never check it. The app chain holds a leader that would run too far
   * ahead of the global head (app D-APP-17). Absent: never held.
   */
  readonly holdProposal?: (parent: F, rank: bigint) => Effect.Effect<string | undefined>
  readonly produceFrame: (input: ProduceFrameInput<F>) => Effect.Effect<ProducedFrame<F>, unknown, ValidationServices>
  readonly makeProposal: (parts: {
    readonly state: F
    readonly parentQuorumCertificate: QuorumCertificate
    readonly priorRankTimeoutCertificate: TimeoutCertificate | undefined
    readonly vote: ProposalVote
  }) => P
  /** The frame as committed: its header signature replaced by the certifying QC's aggregate (§1.4 step 3). */
  readonly withCertificateSignature: (frame: F, aggregate: BLS48581AggregateSignature) => F
  readonly decodeMessage: (data: Uint8Array) => ConsensusWireMessage<P>
  readonly encodeProposal: (proposal: P) => Uint8Array
  readonly encodeSyncRequest: (request: SyncRequest) => Uint8Array
  readonly decodeSyncRequest: (data: Uint8Array) => Either.Either<SyncRequest, unknown>
  readonly encodeSyncResponse: (response: SyncResponse<F, P>) => Uint8Array
  readonly decodeSyncResponse: (data: Uint8Array) => Either.Either<SyncResponse<F, P>, unknown>
}
