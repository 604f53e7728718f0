// This replica's signed messages: a vote for a state (also the signature of its own proposal, §1.4
// step 2) and a timeout for a rank. Signing only; whether signing is safe is the safety rules' call, and
// the caller persists the new safety state before anything signed here is published.
import { Clock, Effect } from "effect"
import type { ProverSignerService } from "../../../crates/ts/services.ts"
import { ProposalVote } from "./messages/proposal-vote.ts"
import type { QuorumCertificate } from "./messages/quorum-certificate.ts"
import { BLS48581AddressedSignature } from "./messages/signatures.ts"
import type { TimeoutCertificate } from "./messages/timeout-certificate.ts"
import { TimeoutState } from "./messages/timeout-state.ts"
import { makeTimeoutMessage, makeVoteMessage, timeoutDomain, voteDomain } from "./signed-messages.ts"

export const signVote = (signer: ProverSignerService, filter: Uint8Array, rank: bigint, frameNumber: bigint, selector: Uint8Array) =>
  Effect.gen(function* () {
    const signature = yield* signer.sign(makeVoteMessage(filter, rank, selector), voteDomain(filter)).pipe(Effect.orDie)
    const now = BigInt(yield* Clock.currentTimeMillis)
    return new ProposalVote({
      filter,
      rank,
      frameNumber,
      selector,
      timestamp: now,
      publicKeySignatureBls48581: new BLS48581AddressedSignature({ signature, address: signer.address }),
    })
  })

/** A fresh timeout for `rank` over the newest QC (with the prior TC when the QC is not for rank − 1). */
export const signTimeout = (
  signer: ProverSignerService,
  filter: Uint8Array,
  rank: bigint,
  newestQc: QuorumCertificate,
  priorTc: TimeoutCertificate | undefined,
) =>
  Effect.gen(function* () {
    const signature = yield* signer.sign(makeTimeoutMessage(filter, rank, newestQc.rank), timeoutDomain(filter)).pipe(Effect.orDie)
    const now = BigInt(yield* Clock.currentTimeMillis)
    return new TimeoutState({
      latestQuorumCertificate: newestQc,
      ...(priorTc === undefined ? {} : { priorRankTimeoutCertificate: priorTc }),
      vote: new ProposalVote({
        filter,
        rank,
        frameNumber: 0n,
        selector: new Uint8Array(),
        timestamp: now,
        publicKeySignatureBls48581: new BLS48581AddressedSignature({ signature, address: signer.address }),
      }),
      timeoutTick: 0n,
      timestamp: now,
    })
  })
