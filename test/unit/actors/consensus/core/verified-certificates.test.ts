// The verified-certificate cache: each distinct QC/TC costs one verification per node, a tampered one
// is still rejected, and the cache is bounded.
import { describe, expect, test } from "bun:test"
import { Effect, Either, Layer } from "effect"
import { validateQuorumCertificate, validateTimeoutCertificate } from "../../../../../actors/consensus/core/certificate-validation.ts"
import { QuorumCertificate } from "../../../../../actors/consensus/core/messages/quorum-certificate.ts"
import { BLS48581AggregateSignature } from "../../../../../actors/consensus/core/messages/signatures.ts"
import { TimeoutCertificate } from "../../../../../actors/consensus/core/messages/timeout-certificate.ts"
import { BlsVerifier, type BlsVerifierService } from "../../../../../crates/ts/services.ts"
import { makeTimeoutMessage, makeVoteMessage, timeoutDomain, voteDomain } from "../../../../../actors/consensus/core/signed-messages.ts"
import { makeSignerBitmask } from "../../../../../actors/consensus/core/signer-bitmask.ts"
import { insecureTestBlsVerifier } from "../../../../../runtime/testing/insecure-test-bls.ts"
import { VerifiedCertificates } from "../../../../../actors/consensus/core/verified-certificates.ts"
import { makeCommittee } from "./support/devnet-crypto.ts"

const { provers } = makeCommittee(4)
const none = new Uint8Array()
const signers = [0, 1, 3]
const bls = insecureTestBlsVerifier

/** Counts the pairing-check calls (single- and multi-message) of the insecure verifier. */
const countingVerifier = () => {
  const counts = { verify: 0, verifyMultiMessage: 0 }
  const service: BlsVerifierService = {
    ...bls,
    verify: (...args) => Effect.suspend(() => ((counts.verify += 1), bls.verify(...args))),
    verifyMultiMessage: (...args) => Effect.suspend(() => ((counts.verifyMultiMessage += 1), bls.verifyMultiMessage(...args))),
  }
  return { counts, layer: Layer.succeed(BlsVerifier, service) }
}

const qcAt = (rank: bigint, timestamp: bigint, tamper = false) =>
  Effect.runSync(
    Effect.gen(function* () {
      const selector = new Uint8Array(32).fill(Number(rank))
      const sigs = yield* Effect.forEach(signers, (i) => provers[i]!.signer.sign(makeVoteMessage(none, rank, selector), voteDomain(none)))
      const signature = yield* bls.aggregateSignatures(sigs)
      if (tamper) signature[10] = (signature[10] ?? 0) ^ 1
      return new QuorumCertificate({
        filter: none,
        rank,
        frameNumber: rank,
        selector,
        timestamp,
        aggregateSignature: new BLS48581AggregateSignature({
          signature,
          publicKey: yield* bls.aggregatePublicKeys(signers.map((i) => provers[i]!.publicKey)),
          bitmask: makeSignerBitmask(signers, provers.length),
        }),
      })
    }),
  )

const tcAt = (rank: bigint, qc: QuorumCertificate) =>
  Effect.runSync(
    Effect.gen(function* () {
      const sigs = yield* Effect.forEach(signers, (i) => provers[i]!.signer.sign(makeTimeoutMessage(none, rank, qc.rank), timeoutDomain(none)))
      return new TimeoutCertificate({
        filter: none,
        rank,
        latestRanks: signers.map(() => qc.rank),
        latestQuorumCertificate: qc,
        timestamp: 1n,
        aggregateSignature: new BLS48581AggregateSignature({
          signature: yield* bls.aggregateSignatures(sigs),
          publicKey: yield* bls.aggregatePublicKeys(signers.map((i) => provers[i]!.publicKey)),
          bitmask: makeSignerBitmask(signers, provers.length),
        }),
      })
    }),
  )

const runWith = <A, E>(layer: Layer.Layer<BlsVerifier>, effect: Effect.Effect<A, E, BlsVerifier>) =>
  Effect.runSync(Effect.either(Effect.provide(effect, layer)))

describe("verified certificates", () => {
  test("a QC is verified once when the cache is shared, twice without it", () => {
    const qc = qcAt(5n, 100n)
    const shared = countingVerifier()
    const verified = new VerifiedCertificates()
    expect(Either.isRight(runWith(shared.layer, validateQuorumCertificate({ qc, committee: provers, verified })))).toBe(true)
    expect(Either.isRight(runWith(shared.layer, validateQuorumCertificate({ qc, committee: provers, verified })))).toBe(true)
    expect(shared.counts.verify).toBe(1)
    const uncached = countingVerifier()
    runWith(uncached.layer, validateQuorumCertificate({ qc, committee: provers }))
    runWith(uncached.layer, validateQuorumCertificate({ qc, committee: provers }))
    expect(uncached.counts.verify).toBe(2)
  })

  test("same signers, other timestamp: no second pairing check; a tampered signature is still rejected", () => {
    const v = countingVerifier()
    const verified = new VerifiedCertificates()
    runWith(v.layer, validateQuorumCertificate({ qc: qcAt(5n, 100n), committee: provers, verified }))
    const again = runWith(v.layer, validateQuorumCertificate({ qc: qcAt(5n, 200n), committee: provers, verified }))
    expect(Either.isRight(again)).toBe(true)
    expect(v.counts.verify).toBe(1)
    const bad = runWith(v.layer, validateQuorumCertificate({ qc: qcAt(5n, 100n, true), committee: provers, verified }))
    expect(Either.isLeft(bad) ? bad.left._tag : "Valid").toBe("InvalidCertificateSignature")
    expect(v.counts.verify).toBe(2)
  })

  test("a TC is verified once and its newest QC is then known", () => {
    const qc = qcAt(5n, 100n)
    const tc = tcAt(7n, qc)
    const v = countingVerifier()
    const verified = new VerifiedCertificates()
    expect(Either.isRight(runWith(v.layer, validateTimeoutCertificate({ tc, committee: provers, verified })))).toBe(true)
    expect(Either.isRight(runWith(v.layer, validateTimeoutCertificate({ tc, committee: provers, verified })))).toBe(true)
    expect(Either.isRight(runWith(v.layer, validateQuorumCertificate({ qc, committee: provers, verified })))).toBe(true)
    expect(v.counts).toEqual({ verify: 1, verifyMultiMessage: 1 })
  })

  test("the cache is bounded: the oldest entry is forgotten first", () => {
    const verified = new VerifiedCertificates(2)
    const [a, b, c] = [qcAt(1n, 1n), qcAt(2n, 1n), qcAt(3n, 1n)]
    verified.addQuorumCertificate(a)
    verified.addQuorumCertificate(b)
    verified.addQuorumCertificate(c)
    expect(verified.size).toBe(2)
    expect([a, b, c].map((q) => verified.hasQuorumCertificate(q))).toEqual([false, true, true])
  })
})
