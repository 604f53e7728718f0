// What every part of a HotStuff engine shares: the chain kind, the committee with its quorum rule,
// this node's identity and crypto services, genesis, the verified-certificate cache and the records.
import { bytesToHex } from "@noble/hashes/utils.js"
import { Effect, Option, type Context } from "effect"
import type { BlsVerifierService, PoseidonHash, ProverSignerService } from "../../../crates/ts/services.ts"
import { InsufficientWeight } from "./certificate-rejection.ts"
import { validateQuorumCertificate, validateTimeoutCertificate } from "./certificate-validation.ts"
import type { ChainFrame, ChainKind, ChainProposal, ValidationServices } from "./chain-kind.ts"
import type { ConsensusConfig } from "./consensus-config.ts"
import type { ConsensusRecords } from "./consensus-records.ts"
import type { StateNode } from "./forks.ts"
import type { QuorumCertificate } from "./messages/quorum-certificate.ts"
import type { TimeoutCertificate } from "./messages/timeout-certificate.ts"
import { type ActiveProver, indexOfAddress, leaderForRank } from "./prover-ring.ts"
import { isQuorum, type QuorumRule } from "./quorum-rule.ts"
import { bitmaskIndices } from "./signer-bitmask.ts"
import type { VerifiedCertificates } from "./verified-certificates.ts"

export interface EngineContext<F extends ChainFrame, P extends ChainProposal<F>> {
  readonly kind: ChainKind<F, P>
  readonly config: ConsensusConfig
  /** The chain's active provers, sorted by address. */
  readonly committee: ReadonlyArray<ActiveProver>
  readonly rule: QuorumRule
  /** This node's committee index, −1 when it only follows. */
  readonly selfIndex: number
  readonly signer: ProverSignerService
  readonly bls: BlsVerifierService
  readonly poseidon: PoseidonHash
  readonly services: Context.Context<ValidationServices>
  readonly genesisQc: QuorumCertificate
  /** Every QC/TC this node validated or built, so each distinct certificate is verified once (D-GC-14). */
  readonly verified: VerifiedCertificates
  readonly records: ConsensusRecords
}

export const nodeOf = <F extends ChainFrame, P extends ChainProposal<F>>(ctx: EngineContext<F, P>, frame: F, proposal: P | undefined): StateNode<F, P> => {
  const h = frame.header
  return {
    selector: bytesToHex(ctx.poseidon(h.output)),
    parentSelector: bytesToHex(h.parentSelector),
    rank: h.rank,
    frameNumber: h.frameNumber,
    proposer: bytesToHex(h.prover),
    frame,
    proposal,
  }
}

export const leaderFor = <F extends ChainFrame, P extends ChainProposal<F>>(ctx: EngineContext<F, P>, rank: bigint): Option.Option<Uint8Array> =>
  leaderForRank(ctx.poseidon, ctx.config.network, ctx.kind.filter, ctx.committee, rank)

/** A prover's committee index, −1 when it is not a member. */
export const committeeIndex = <F extends ChainFrame, P extends ChainProposal<F>>(ctx: EngineContext<F, P>, address: Uint8Array): number =>
  Option.getOrElse(indexOfAddress(ctx.committee, address), () => -1)

/**
 * QC validation (§3.9) plus the quorum rule of this committee (D-GC-1). The verified-certificate cache
 * is shared with proposal validation, so a QC is verified once per node (D-GC-14); the quorum rule is
 * cheap and always checked.
 */
export const checkQc = <F extends ChainFrame, P extends ChainProposal<F>>(ctx: EngineContext<F, P>, qc: QuorumCertificate) =>
  Effect.gen(function* () {
    yield* validateQuorumCertificate({ qc, committee: ctx.committee, genesis: ctx.genesisQc, verified: ctx.verified })
    if (qc.rank !== 0n && !isQuorum(ctx.rule, bitmaskIndices(qc.aggregateSignature?.bitmask ?? new Uint8Array()))) {
      return yield* Effect.fail(new InsufficientWeight({ detail: `QC signers below the ${ctx.rule.mode} threshold ${ctx.rule.threshold}` }))
    }
  }).pipe(Effect.provide(ctx.services))

export const checkTc = <F extends ChainFrame, P extends ChainProposal<F>>(ctx: EngineContext<F, P>, tc: TimeoutCertificate) =>
  Effect.gen(function* () {
    yield* validateTimeoutCertificate({ tc, committee: ctx.committee, genesis: ctx.genesisQc, verified: ctx.verified })
    if (!isQuorum(ctx.rule, bitmaskIndices(tc.aggregateSignature?.bitmask ?? new Uint8Array()))) {
      return yield* Effect.fail(new InsufficientWeight({ detail: `TC signers below the ${ctx.rule.mode} threshold ${ctx.rule.threshold}` }))
    }
  }).pipe(Effect.provide(ctx.services))
