// What every part of a HotStuff engine shares: the chain kind, the committees (one per frame, from the
// chain's committee source), this node's identity and crypto services, genesis, the verified-certificate
// cache and the records.
import { bytesToHex } from "@noble/hashes/utils.js"
import { Effect, type Either, Option, type Context } from "effect"
import type { BlsVerifierService, PoseidonHash, ProverSignerService } from "../../../crates/ts/services.ts"
import { InsufficientWeight } from "./certificate-rejection.ts"
import { validateQuorumCertificate, validateTimeoutCertificate } from "./certificate-validation.ts"
import type { ChainFrame, ChainKind, ChainProposal, ValidationServices } from "./chain-kind.ts"
import type { Committee, Committees } from "./committee-source.ts"
import type { ConsensusConfig } from "./consensus-config.ts"
import type { ConsensusRecords } from "./consensus-records.ts"
import type { StateNode } from "./forks.ts"
import type { QuorumCertificate } from "./messages/quorum-certificate.ts"
import type { TimeoutCertificate } from "./messages/timeout-certificate.ts"
import { indexOfAddress, leaderForRank } from "./prover-ring.ts"
import { isQuorum } from "./quorum-rule.ts"
import { bitmaskIndices } from "./signer-bitmask.ts"
import type { VerifiedCertificates } from "./verified-certificates.ts"

export interface EngineContext<F extends ChainFrame, P extends ChainProposal<F>> {
  readonly kind: ChainKind<F, P>
  readonly config: ConsensusConfig
  /** The committee of each frame (app D-APP-18); a certificate is checked against its frame's. */
  readonly committees: Committees<F>
  readonly signer: ProverSignerService
  readonly bls: BlsVerifierService
  readonly poseidon: PoseidonHash
  readonly services: Context.Context<ValidationServices>
  readonly genesisQc: QuorumCertificate
  /** Every QC/TC this node validated or built, so each distinct certificate is verified once (D-GC-14). */
  readonly verified: VerifiedCertificates
  readonly records: ConsensusRecords
}

/** A frame named the way QCs and votes name it. */
export interface FrameRef {
  readonly selector: Uint8Array
  readonly frameNumber: bigint
}

/**
 * The engine's committee lookups for its parts (Left: the source has not applied what the answer
 * depends on yet; the caller waits and never falls back to another set).
 */
export interface FrameCommittees {
  /** Of the frame `ref` names: its QC and the votes for it. */
  readonly of: (ref: FrameRef) => Effect.Effect<Either.Either<Committee, string>>
  /** Of a child of the frame `qc` certifies: the next rank's leader and votes, its timeouts, a TC with `qc` as newest. */
  readonly after: (qc: QuorumCertificate) => Effect.Effect<Either.Either<Committee, string>>
}

export const nodeOf = <F extends ChainFrame, P extends ChainProposal<F>>(
  ctx: EngineContext<F, P>,
  frame: F,
  proposal: P | undefined,
  /** Undefined: resolved when first asked for (a root the source does not know yet). */
  committee: Committee | undefined,
): StateNode<F, P> => {
  const h = frame.header
  return {
    selector: bytesToHex(ctx.poseidon(h.output)),
    parentSelector: bytesToHex(h.parentSelector),
    rank: h.rank,
    frameNumber: h.frameNumber,
    proposer: bytesToHex(h.prover),
    frame,
    proposal,
    committee,
  }
}

export const leaderFor = <F extends ChainFrame, P extends ChainProposal<F>>(
  ctx: EngineContext<F, P>,
  committee: Committee,
  rank: bigint,
): Option.Option<Uint8Array> => leaderForRank(ctx.poseidon, ctx.config.network, ctx.kind.filter, committee.members, rank)

/** A prover's committee index, −1 when it is not a member. */
export const committeeIndex = (committee: Committee, address: Uint8Array): number => Option.getOrElse(indexOfAddress(committee.members, address), () => -1)

/**
 * QC validation (§3.9) plus the quorum rule of the certified frame's committee (D-GC-1). The committee's
 * verified-certificate cache is shared with proposal validation, so a QC is verified once per node and
 * committee (D-GC-14); the quorum rule is cheap and always checked.
 */
export const checkQc = <F extends ChainFrame, P extends ChainProposal<F>>(ctx: EngineContext<F, P>, committee: Committee, qc: QuorumCertificate) =>
  Effect.gen(function* () {
    yield* validateQuorumCertificate({ qc, committee: committee.members, genesis: ctx.genesisQc, verified: committee.verified })
    const { rule } = committee
    if (qc.rank !== 0n && !isQuorum(rule, bitmaskIndices(qc.aggregateSignature?.bitmask ?? new Uint8Array()))) {
      return yield* Effect.fail(new InsufficientWeight({ detail: `QC signers below the ${rule.mode} threshold ${rule.threshold}` }))
    }
  }).pipe(Effect.provide(ctx.services))

/** TC validation against the committee of a child of the TC's newest QC's frame (app D-APP-18). */
export const checkTc = <F extends ChainFrame, P extends ChainProposal<F>>(ctx: EngineContext<F, P>, committee: Committee, tc: TimeoutCertificate) =>
  Effect.gen(function* () {
    yield* validateTimeoutCertificate({ tc, committee: committee.members, genesis: ctx.genesisQc, verified: committee.verified })
    const { rule } = committee
    if (!isQuorum(rule, bitmaskIndices(tc.aggregateSignature?.bitmask ?? new Uint8Array()))) {
      return yield* Effect.fail(new InsufficientWeight({ detail: `TC signers below the ${rule.mode} threshold ${rule.threshold}` }))
    }
  }).pipe(Effect.provide(ctx.services))
