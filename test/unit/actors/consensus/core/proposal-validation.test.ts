import { describe, expect, test } from "bun:test"
import { Effect, Either, Option } from "effect"
import { genesisQuorumCertificate, produceGlobalFrameHeader, stubGlobalGenesisHeader } from "../../../../../actors/consensus/core/frame-production.ts"
import { GlobalFrame } from "../../../../../actors/consensus/core/messages/global-frame.ts"
import { ProposalVote } from "../../../../../actors/consensus/core/messages/proposal-vote.ts"
import { GlobalProposal } from "../../../../../actors/consensus/core/messages/proposals.ts"
import { BLS48581AddressedSignature, BLS48581AggregateSignature } from "../../../../../actors/consensus/core/messages/signatures.ts"
import { TimeoutCertificate } from "../../../../../actors/consensus/core/messages/timeout-certificate.ts"
import { checkRankEvidence, validateProposal } from "../../../../../actors/consensus/core/proposal-validation.ts"
import { globalLeaderIndex } from "../../../../../actors/consensus/core/prover-ring.ts"
import { BlsVerifier } from "../../../../../crates/ts/services.ts"
import { makeTimeoutMessage, makeVoteMessage, timeoutDomain, voteDomain } from "../../../../../actors/consensus/core/signed-messages.ts"
import { makeSignerBitmask } from "../../../../../actors/consensus/core/signer-bitmask.ts"
import { CryptoLayer, makeCommittee, run, signerLayer } from "./support/devnet-crypto.ts"
import { filled } from "./support/hex.ts"
import { testPoseidonHashBytes as poseidon } from "./support/poseidon.ts"

const { provers } = makeCommittee(4)
const none = new Uint8Array()
const genesis = stubGlobalGenesisHeader({ timestamp: 1_000n, difficulty: 100 })
const genesisQc = genesisQuorumCertificate({ filter: none, frameNumber: 0n, selector: poseidon(genesis.output), timestamp: 0n })
const leaderOf = (rank: bigint) => Option.getOrThrow(globalLeaderIndex(poseidon, rank, provers.length))
const tagOf = <A, E extends { readonly _tag: string }>(r: Either.Either<A, E>): string => Either.match(r, { onLeft: (e) => e._tag, onRight: () => "Valid" })

/** A proposal at `rank` by committee member `proposer`, on top of genesis. */
const propose = (rank: bigint, proposer: number, tc?: TimeoutCertificate, voteSelector?: Uint8Array) => {
  const signer = provers[proposer]!.signer
  const header = Effect.runSync(
    produceGlobalFrameHeader({
      parent: genesis,
      rank,
      timestamp: 11_000n,
      difficulty: 100,
      globalCommitments: Array.from({ length: 256 }, () => filled(0, 64)),
      proverTreeCommitment: filled(0, 64),
      requestsRoot: filled(0, 64),
      proverIndex: proposer,
    }).pipe(Effect.provide(CryptoLayer), Effect.provide(signerLayer(signer))),
  )
  const selector = voteSelector ?? poseidon(header.output)
  const signature = Effect.runSync(signer.sign(makeVoteMessage(none, rank, selector), voteDomain(none)))
  const vote = new ProposalVote({
    filter: none,
    rank,
    frameNumber: header.frameNumber,
    selector,
    timestamp: 11_000n,
    publicKeySignatureBls48581: new BLS48581AddressedSignature({ signature, address: signer.address }),
  })
  return new GlobalProposal({
    state: new GlobalFrame({ header, requests: [] }),
    parentQuorumCertificate: genesisQc,
    vote,
    ...(tc === undefined ? {} : { priorRankTimeoutCertificate: tc }),
  })
}

/** A TC for `rank` signed by members 0..2 whose newest QC is the genesis QC. */
const timeoutAt = (rank: bigint) => {
  const signers = [0, 1, 2]
  const agg = Effect.runSync(
    Effect.gen(function* () {
      const bls = yield* BlsVerifier
      const sigs = yield* Effect.forEach(signers, (i) => provers[i]!.signer.sign(makeTimeoutMessage(none, rank, 0n), timeoutDomain(none)))
      return new BLS48581AggregateSignature({
        signature: yield* bls.aggregateSignatures(sigs),
        publicKey: yield* bls.aggregatePublicKeys(signers.map((i) => provers[i]!.publicKey)),
        bitmask: makeSignerBitmask(signers, provers.length),
      })
    }).pipe(Effect.provide(CryptoLayer)),
  )
  return new TimeoutCertificate({ filter: none, rank, latestRanks: [0n, 0n, 0n], latestQuorumCertificate: genesisQc, timestamp: 1n, aggregateSignature: agg })
}

const validate = (proposal: GlobalProposal) => run(validateProposal({ proposal, network: 99, committee: provers, genesis: genesisQc }))

describe("proposal validation (§3.9)", () => {
  test("the leader's proposal on a direct parent QC validates", () => {
    expect(tagOf(validate(propose(1n, leaderOf(1n))))).toBe("Valid")
  })

  test("a proposal after a timed-out rank needs the TC for rank − 1", () => {
    expect(tagOf(validate(propose(2n, leaderOf(2n), timeoutAt(1n))))).toBe("Valid")
    expect(tagOf(validate(propose(2n, leaderOf(2n))))).toBe("BadRankEvidence")
    expect(tagOf(validate(propose(3n, leaderOf(3n), timeoutAt(1n))))).toBe("BadRankEvidence")
    expect(tagOf(validate(propose(1n, leaderOf(1n), timeoutAt(0n))))).toBe("BadRankEvidence")
  })

  test("a non-leader's proposal is rejected", () => {
    const other = (leaderOf(1n) + 1) % provers.length
    expect(tagOf(validate(propose(1n, other)))).toBe("WrongProposer")
  })

  test("a vote for another state is rejected", () => {
    expect(tagOf(validate(propose(1n, leaderOf(1n), undefined, filled(1, 32))))).toBe("WrongProposer")
  })

  test("evidence rules in isolation", () => {
    const ok = (rank: bigint, tc?: TimeoutCertificate) => tagOf(Effect.runSync(Effect.either(checkRankEvidence(rank, genesisQc, tc))))
    expect(ok(1n)).toBe("Valid")
    expect(ok(2n, timeoutAt(1n))).toBe("Valid")
    expect(ok(2n)).toBe("BadRankEvidence")
    expect(ok(0n, timeoutAt(0n))).toBe("BadRankEvidence") // rank 0 cannot be entered: the TC is not for rank − 1
  })
})
