import { describe, expect, test } from "bun:test"
import { Effect, Either } from "effect"
import {
  validateQuorumCertificate,
  validateTimeoutCertificate,
  validateTimeoutVote,
  validateVote,
} from "../../../../../actors/consensus/core/certificate-validation.ts"
import { genesisQuorumCertificate } from "../../../../../actors/consensus/core/frame-production.ts"
import { ProposalVote } from "../../../../../actors/consensus/core/messages/proposal-vote.ts"
import { QuorumCertificate } from "../../../../../actors/consensus/core/messages/quorum-certificate.ts"
import { BLS48581AddressedSignature, BLS48581AggregateSignature } from "../../../../../actors/consensus/core/messages/signatures.ts"
import { TimeoutCertificate } from "../../../../../actors/consensus/core/messages/timeout-certificate.ts"
import { BlsVerifier } from "../../../../../crates/ts/services.ts"
import { makeTimeoutMessage, makeVoteMessage, timeoutDomain, voteDomain } from "../../../../../actors/consensus/core/signed-messages.ts"
import { makeSignerBitmask } from "../../../../../actors/consensus/core/signer-bitmask.ts"
import { CryptoLayer, makeCommittee, run } from "./support/devnet-crypto.ts"
import { filled } from "./support/hex.ts"

const { provers } = makeCommittee(4)
const selector = filled(0x42, 32)
const tagOf = <A, E extends { readonly _tag: string }>(r: Either.Either<A, E>): string => Either.match(r, { onLeft: (e) => e._tag, onRight: () => "Valid" })
const sync = <A>(e: Effect.Effect<A, never, BlsVerifier>) => Effect.runSync(e.pipe(Effect.provide(CryptoLayer)))

const sign = (i: number, message: Uint8Array, domain: Uint8Array) => sync(provers[i]!.signer.sign(message, domain).pipe(Effect.orDie))

const vote = (filter: Uint8Array, rank: bigint, voter: number, signature?: Uint8Array) =>
  new ProposalVote({
    filter,
    rank,
    frameNumber: 3n,
    selector,
    timestamp: 1n,
    publicKeySignatureBls48581: new BLS48581AddressedSignature({
      signature: signature ?? sign(voter, makeVoteMessage(filter, rank, selector), voteDomain(filter)),
      address: provers[voter]!.address,
    }),
  })

const makeQc = (filter: Uint8Array, rank: bigint, signers: ReadonlyArray<number>) => {
  const message = makeVoteMessage(filter, rank, selector)
  const agg = sync(
    Effect.gen(function* () {
      const bls = yield* BlsVerifier
      const signature = yield* bls.aggregateSignatures(signers.map((i) => sign(i, message, voteDomain(filter))))
      const publicKey = yield* bls.aggregatePublicKeys(signers.map((i) => provers[i]!.publicKey))
      return new BLS48581AggregateSignature({ signature, publicKey, bitmask: makeSignerBitmask(signers, provers.length) })
    }).pipe(Effect.orDie),
  )
  return new QuorumCertificate({ filter, rank, frameNumber: 3n, selector, timestamp: 9n, aggregateSignature: agg })
}

const makeTc = (rank: bigint, qc: QuorumCertificate, signers: ReadonlyArray<number>, latestRanks: ReadonlyArray<bigint>) => {
  const filter = qc.filter
  const agg = sync(
    Effect.gen(function* () {
      const bls = yield* BlsVerifier
      const signature = yield* bls.aggregateSignatures(
        signers.map((i, j) => sign(i, makeTimeoutMessage(filter, rank, latestRanks[j] ?? 0n), timeoutDomain(filter))),
      )
      const publicKey = yield* bls.aggregatePublicKeys(signers.map((i) => provers[i]!.publicKey))
      return new BLS48581AggregateSignature({ signature, publicKey, bitmask: makeSignerBitmask(signers, provers.length) })
    }).pipe(Effect.orDie),
  )
  return new TimeoutCertificate({ filter, rank, latestRanks, latestQuorumCertificate: qc, timestamp: 5n, aggregateSignature: agg })
}

describe("votes", () => {
  const global = new Uint8Array()
  const app = filled(0xa1, 32)
  test("a committee member's vote verifies and returns its index", () => {
    expect(Either.getOrThrow(run(validateVote(vote(global, 4n, 2), provers)))).toBe(2)
    expect(Either.getOrThrow(run(validateVote(vote(app, 4n, 1), provers)))).toBe(1)
  })
  test("an app vote may carry a 516-byte multiproof after the 74-byte signature", () => {
    const sig = sign(1, makeVoteMessage(app, 4n, selector), voteDomain(app))
    expect(tagOf(run(validateVote(vote(app, 4n, 1, new Uint8Array([...sig, ...filled(7, 516)])), provers)))).toBe("Valid")
    expect(tagOf(run(validateVote(vote(global, 4n, 1, new Uint8Array([...sig, ...filled(7, 516)])), provers)))).toBe("MalformedCertificate")
  })
  test("rejections", () => {
    const outsider = new ProposalVote({
      ...vote(global, 4n, 0),
      publicKeySignatureBls48581: new BLS48581AddressedSignature({ signature: filled(1, 74), address: filled(0xee, 32) }),
    })
    expect(tagOf(run(validateVote(outsider, provers)))).toBe("UnknownSigner")
    expect(tagOf(run(validateVote(new ProposalVote({ ...vote(global, 4n, 0), rank: 5n }), provers)))).toBe("InvalidCertificateSignature")
    expect(tagOf(run(validateVote(new ProposalVote({ ...vote(global, 4n, 0), selector: filled(1, 31) }), provers)))).toBe("MalformedCertificate")
    expect(tagOf(run(validateVote(new ProposalVote({ ...vote(global, 4n, 0), publicKeySignatureBls48581: undefined }), provers)))).toBe("MalformedCertificate")
  })
  test("timeout votes sign (rank, newest QC rank) with the timeout domain", () => {
    const sig = sign(3, makeTimeoutMessage(global, 8n, 6n), timeoutDomain(global))
    const t = new ProposalVote({
      filter: global,
      rank: 8n,
      frameNumber: 0n,
      selector: new Uint8Array(),
      timestamp: 1n,
      publicKeySignatureBls48581: new BLS48581AddressedSignature({ signature: sig, address: provers[3]!.address }),
    })
    expect(Either.getOrThrow(run(validateTimeoutVote(t, 6n, provers)))).toBe(3)
    expect(tagOf(run(validateTimeoutVote(t, 5n, provers)))).toBe("InvalidCertificateSignature")
  })
})

describe("quorum certificates (§3.9)", () => {
  const global = new Uint8Array()
  test("3 of 4 equal-weight signers form a valid QC; 2 of 4 do not reach ⌊2·40/3⌋ = 26", () => {
    expect(tagOf(run(validateQuorumCertificate({ qc: makeQc(global, 4n, [0, 1, 2]), committee: provers })))).toBe("Valid")
    expect(tagOf(run(validateQuorumCertificate({ qc: makeQc(global, 4n, [0, 1]), committee: provers })))).toBe("InsufficientWeight")
  })
  test("app QCs verify too", () => {
    expect(tagOf(run(validateQuorumCertificate({ qc: makeQc(filled(0xa1, 32), 4n, [1, 2, 3]), committee: provers })))).toBe("Valid")
  })
  test("rejections", () => {
    const qc = makeQc(global, 4n, [0, 1, 2])
    const agg = qc.aggregateSignature!
    const check = (q: QuorumCertificate) => tagOf(run(validateQuorumCertificate({ qc: q, committee: provers })))
    expect(check(new QuorumCertificate({ ...qc, selector: filled(1, 31) }))).toBe("MalformedCertificate")
    expect(check(new QuorumCertificate({ ...qc, aggregateSignature: undefined }))).toBe("MalformedCertificate")
    expect(check(new QuorumCertificate({ ...qc, aggregateSignature: new BLS48581AggregateSignature({ ...agg, bitmask: new Uint8Array() }) }))).toBe(
      "MalformedCertificate",
    )
    expect(check(new QuorumCertificate({ ...qc, aggregateSignature: new BLS48581AggregateSignature({ ...agg, bitmask: Uint8Array.of(0x17) }) }))).toBe(
      "UnknownSigner",
    )
    expect(check(new QuorumCertificate({ ...qc, aggregateSignature: new BLS48581AggregateSignature({ ...agg, bitmask: Uint8Array.of(0x0b) }) }))).toBe(
      "SignerSetMismatch",
    )
    expect(check(new QuorumCertificate({ ...qc, rank: 5n }))).toBe("InvalidCertificateSignature")
  })
  test("a rank-0 QC is accepted only if it is the stored genesis QC", () => {
    const genesis = genesisQuorumCertificate({ filter: global, frameNumber: 0n, selector, timestamp: 0n })
    expect(tagOf(run(validateQuorumCertificate({ qc: genesis, committee: provers, genesis })))).toBe("Valid")
    expect(tagOf(run(validateQuorumCertificate({ qc: new QuorumCertificate({ ...genesis, timestamp: 1n }), committee: provers, genesis })))).toBe(
      "MalformedCertificate",
    )
  })
})

describe("timeout certificates (§3.8, §3.9)", () => {
  const qc = makeQc(new Uint8Array(), 6n, [0, 1, 2])
  test("a TC signed by 3 of 4 over their newest QC ranks validates", () => {
    expect(tagOf(run(validateTimeoutCertificate({ tc: makeTc(8n, qc, [0, 2, 3], [6n, 5n, 6n]), committee: provers })))).toBe("Valid")
  })
  test("rejections", () => {
    const check = (tc: TimeoutCertificate) => tagOf(run(validateTimeoutCertificate({ tc, committee: provers })))
    const good = makeTc(8n, qc, [0, 2, 3], [6n, 5n, 6n])
    expect(check(new TimeoutCertificate({ ...good, latestQuorumCertificate: undefined }))).toBe("MalformedCertificate")
    expect(check(makeTc(5n, qc, [0, 2, 3], [5n, 5n, 5n]))).toBe("InconsistentRanks") // TC rank below its QC
    expect(check(makeTc(8n, qc, [0, 2, 3], [6n, 7n, 6n]))).toBe("InconsistentRanks") // a newest-QC rank above the TC's QC
    expect(check(new TimeoutCertificate({ ...good, latestRanks: [6n, 5n] }))).toBe("InconsistentRanks")
    expect(check(new TimeoutCertificate({ ...good, latestRanks: [6n, 6n, 6n] }))).toBe("InvalidCertificateSignature")
    expect(check(makeTc(8n, qc, [0, 2], [6n, 6n]))).toBe("InsufficientWeight")
  })
})
