// The production BLS adapters (crates/ts/bls/bls-live.ts) with 4 real BLS48-581 keys: votes, QCs,
// TCs and a global frame produced with the native VDF and certified by the committee's aggregate, plus
// each crypto-dependent rejection of the insecure-stand-in suites (certificate-validation.test.ts,
// frame-validation.test.ts) re-run on the real primitives. Verify ≈ 50–130 ms each, so cases are few.
import { afterAll, describe, expect, test } from "bun:test"
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect, Either, Layer, ManagedRuntime, Redacted } from "effect"
import { BlsService, makeBls } from "../../../../crates/ts/bls/bls.ts"
import { ensureKeys } from "../../../../config/keys.ts"
import {
  BlsProverSignerFromIkm,
  BlsProverSignerLive,
  BlsVerifierLive,
  makeBlsProverSigner,
  makeBlsVerifier,
  proverKeyPath,
} from "../../../../crates/ts/bls/bls-live.ts"
import {
  validateQuorumCertificate,
  validateTimeoutCertificate,
  validateTimeoutVote,
  validateVote,
} from "../../../../actors/consensus/core/certificate-validation.ts"
import { produceGlobalFrameHeader, stubGlobalGenesisHeader } from "../../../../actors/consensus/core/frame-production.ts"
import { validateGlobalFrame } from "../../../../actors/consensus/core/frame-validation.ts"
import { GlobalFrameHeader } from "../../../../actors/consensus/core/messages/global-frame-header.ts"
import { ProposalVote } from "../../../../actors/consensus/core/messages/proposal-vote.ts"
import { QuorumCertificate } from "../../../../actors/consensus/core/messages/quorum-certificate.ts"
import { BLS48581AddressedSignature, BLS48581AggregateSignature } from "../../../../actors/consensus/core/messages/signatures.ts"
import { TimeoutCertificate } from "../../../../actors/consensus/core/messages/timeout-certificate.ts"
import { NativeFrameVdfLive } from "../../../../crates/ts/vdf/frame-vdf-live.ts"
import { PoseidonLive } from "../../../../crates/ts/poseidon-live.ts"
import { sortByAddress } from "../../../../actors/consensus/core/prover-ring.ts"
import { BlsVerifier, ProverSigner, SignatureFailure } from "../../../../crates/ts/services.ts"
import {
  GLOBAL_PROVER_SIGNATURE_DOMAIN,
  globalProverSignatureMessage,
  makeTimeoutMessage,
  makeVoteMessage,
  PROOF_OF_POSSESSION_DOMAIN,
  timeoutDomain,
  voteDomain,
} from "../../../../actors/consensus/core/signed-messages.ts"
import { makeSignerBitmask } from "../../../../actors/consensus/core/signer-bitmask.ts"
import { globalChallenge } from "../../../../actors/consensus/core/vdf-challenge.ts"
import { filled } from "../../actors/consensus/core/support/hex.ts"
import { testPoseidonHashBytes as poseidon } from "../../actors/consensus/core/support/poseidon.ts"

const bls = Effect.runSync(makeBls())
const verifier = Effect.runSync(makeBlsVerifier(bls))
const ikmOf = (i: number) => Redacted.make(filled(i, 32))
const provers = sortByAddress(
  [1, 2, 3, 4].map((i) => {
    const signer = Effect.runSync(makeBlsProverSigner(bls, ikmOf(i)))
    return { address: signer.address, publicKey: signer.publicKey, seniority: 10n, signer }
  }),
)
const BlsLayer = Layer.mergeAll(PoseidonLive, Layer.succeed(BlsVerifier, verifier))

const tagOf = <A, E extends { readonly _tag: string }>(r: Either.Either<A, E>): string => Either.match(r, { onLeft: (e) => e._tag, onRight: () => "Valid" })
const detailOf = <A, E extends { readonly detail: string }>(r: Either.Either<A, E>): string => Either.match(r, { onLeft: (e) => e.detail, onRight: () => "" })
const runBls = <A, E>(effect: Effect.Effect<A, E, BlsVerifier>) => Effect.runSync(Effect.either(effect.pipe(Effect.provide(BlsLayer))))
const sign = (i: number, message: Uint8Array, domain: Uint8Array) => Effect.runSync(provers[i]!.signer.sign(message, domain))
const flipped = (bytes: Uint8Array, at: number) => {
  const out = bytes.slice()
  out[at] = (out[at] ?? 0) ^ 0x01
  return out
}

/** An aggregate of `signers`' signatures of one message, with their aggregate key and bitmask. */
const aggregateOf = (signers: ReadonlyArray<number>, message: Uint8Array, domain: Uint8Array) =>
  Effect.runSync(
    Effect.gen(function* () {
      const signature = yield* verifier.aggregateSignatures(signers.map((i) => sign(i, message, domain)))
      const publicKey = yield* verifier.aggregatePublicKeys(signers.map((i) => provers[i]!.publicKey))
      return new BLS48581AggregateSignature({ signature, publicKey, bitmask: makeSignerBitmask(signers, provers.length) })
    }),
  )

describe("BlsVerifier over the native binding", () => {
  test("the layer builds; aggregates equal the binding's joint aggregate, in any order", () => {
    const live = Effect.runSync(Effect.provide(BlsVerifier, BlsVerifierLive))
    const message = filled(9, 40)
    const domain = voteDomain(new Uint8Array())
    const sigs = [0, 1, 2].map((i) => sign(i, message, domain))
    const keys = [0, 1, 2].map((i) => provers[i]!.publicKey)
    const joint = Effect.runSync(bls.aggregate(keys, sigs))
    expect(Effect.runSync(live.aggregatePublicKeys(keys))).toEqual(joint.aggregatePublicKey)
    expect(Effect.runSync(live.aggregatePublicKeys([...keys].reverse()))).toEqual(joint.aggregatePublicKey)
    expect(Effect.runSync(live.aggregateSignatures(sigs))).toEqual(joint.aggregateSignature)
    // A cached aggregate is handed out as a copy.
    const first = Effect.runSync(verifier.aggregatePublicKeys(keys))
    first.fill(0)
    expect(Effect.runSync(verifier.aggregatePublicKeys(keys))).toEqual(joint.aggregatePublicKey)
    expect(Effect.runSync(verifier.verify(joint.aggregatePublicKey, joint.aggregateSignature, message, domain))).toBe(true)
  })

  test("binding errors become SignatureFailure naming the operation and the BLS error", () => {
    const failureOf = <A>(e: Effect.Effect<A, SignatureFailure>) => Effect.runSync(Effect.flip(e))
    const notAPoint = failureOf(verifier.aggregatePublicKeys([filled(5, 585)]))
    expect(notAPoint).toBeInstanceOf(SignatureFailure)
    expect(notAPoint.operation).toBe("aggregatePublicKeys")
    expect(notAPoint.reason).toStartWith("BlsEncodingError")
    expect(failureOf(verifier.aggregateSignatures([])).reason).toStartWith("BlsLengthError")
    expect(failureOf(verifier.verify(provers[0]!.publicKey, filled(2, 73), filled(1, 8), filled(1, 8))).reason).toStartWith("BlsLengthError")
    const pk = provers[0]!.publicKey
    expect(failureOf(verifier.verifyMultiMessage([pk, pk], [filled(1, 8)], filled(2, 74), filled(1, 8))).operation).toBe("verifyMultiMessage")
  })
})

describe("ProverSigner from the node's prover key", () => {
  test('keygen(IKM): address = Poseidon(public key), signatures verify, PoP = sign("BLS48_POP_SK" ‖ pk)', () => {
    const signer = Effect.runSync(makeBlsProverSigner(bls, ikmOf(1)))
    expect(signer.publicKey).toEqual(Effect.runSync(bls.keygen(filled(1, 32))).publicKey)
    expect(signer.address).toEqual(poseidon(signer.publicKey))
    expect(Effect.runSync(verifier.verify(signer.publicKey, signer.proofOfPossession, signer.publicKey, PROOF_OF_POSSESSION_DOMAIN))).toBe(true)
    expect(Effect.runSync(bls.verifyPossession(signer.publicKey, signer.proofOfPossession))).toBe(true)
  })

  test("reads <dataDir>/keys/prover.key as written by config/keys.ts; missing or mis-sized keys fail typed", () => {
    const dataDir = mkdtempSync(join(tmpdir(), "quilbun-bls-live-"))
    try {
      const keys = Effect.runSync(ensureKeys(dataDir))
      const fromFile = Effect.runSync(Effect.provide(ProverSigner, BlsProverSignerLive(dataDir)))
      const fromIkm = Effect.runSync(Effect.provide(ProverSigner, BlsProverSignerFromIkm(keys.prover.ikm).pipe(Layer.provide(Layer.succeed(BlsService, bls)))))
      expect(fromFile.publicKey).toEqual(fromIkm.publicKey)
      expect(fromFile.address).toEqual(poseidon(fromFile.publicKey))

      const empty = mkdtempSync(join(tmpdir(), "quilbun-bls-live-"))
      const missing = Effect.runSync(Effect.flip(Effect.provide(ProverSigner, BlsProverSignerLive(empty))))
      expect(missing._tag).toBe("ProverKeyUnavailable")
      mkdirSync(join(empty, "keys"))
      writeFileSync(proverKeyPath(empty), filled(1, 31))
      const short = Effect.runSync(Effect.flip(Effect.provide(ProverSigner, BlsProverSignerLive(empty))))
      expect(short._tag).toBe("ProverKeyUnavailable")
      rmSync(empty, { recursive: true, force: true })
    } finally {
      rmSync(dataDir, { recursive: true, force: true })
    }
  })
})

const global = new Uint8Array()
const app = filled(0xa1, 32)
const selector = filled(0x42, 32)

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

describe("votes with real keys", () => {
  test("global and app votes verify and return the voter's index", () => {
    expect(Either.getOrThrow(runBls(validateVote(vote(global, 4n, 2), provers)))).toBe(2)
    expect(Either.getOrThrow(runBls(validateVote(vote(app, 4n, 1), provers)))).toBe(1)
  })

  test("wrong key, wrong domain and tampered signatures are InvalidCertificateSignature", () => {
    const message = makeVoteMessage(global, 4n, selector)
    // Signed by prover 0, presented as prover 1's vote.
    expect(tagOf(runBls(validateVote(vote(global, 4n, 1, sign(0, message, voteDomain(global))), provers)))).toBe("InvalidCertificateSignature")
    // The right message under the timeout domain, and under another shard's vote domain.
    expect(tagOf(runBls(validateVote(vote(global, 4n, 1, sign(1, message, timeoutDomain(global))), provers)))).toBe("InvalidCertificateSignature")
    const appMessage = makeVoteMessage(app, 4n, selector)
    expect(tagOf(runBls(validateVote(vote(app, 4n, 1, sign(1, appMessage, voteDomain(filled(0xa2, 32)))), provers)))).toBe("InvalidCertificateSignature")
    // A flipped x-coordinate byte is (almost surely) off the subgroup or off the curve: the binding's
    // typed error reaches the rejection's detail.
    const tampered = runBls(validateVote(vote(global, 4n, 1, flipped(sign(1, message, voteDomain(global)), 40)), provers))
    expect(tagOf(tampered)).toBe("InvalidCertificateSignature")
    expect(detailOf(tampered)).toMatch(/verifier failed: Bls(Subgroup|Encoding)Error: verify: /)
    const badFlag = sign(1, message, voteDomain(global))
    badFlag[0] = 0x05
    expect(detailOf(runBls(validateVote(vote(global, 4n, 1, badFlag), provers)))).toContain("BlsEncodingError")
  })

  test("timeout votes sign (rank, newest QC rank) under the timeout domain", () => {
    const t = new ProposalVote({
      filter: global,
      rank: 8n,
      frameNumber: 0n,
      selector: new Uint8Array(),
      timestamp: 1n,
      publicKeySignatureBls48581: new BLS48581AddressedSignature({
        signature: sign(3, makeTimeoutMessage(global, 8n, 6n), timeoutDomain(global)),
        address: provers[3]!.address,
      }),
    })
    expect(Either.getOrThrow(runBls(validateTimeoutVote(t, 6n, provers)))).toBe(3)
    expect(tagOf(runBls(validateTimeoutVote(t, 5n, provers)))).toBe("InvalidCertificateSignature")
  })
})

const makeQc = (filter: Uint8Array, rank: bigint, signers: ReadonlyArray<number>) =>
  new QuorumCertificate({
    filter,
    rank,
    frameNumber: 3n,
    selector,
    timestamp: 9n,
    aggregateSignature: aggregateOf(signers, makeVoteMessage(filter, rank, selector), voteDomain(filter)),
  })

const check = (q: QuorumCertificate) => tagOf(runBls(validateQuorumCertificate({ qc: q, committee: provers })))

describe("quorum and timeout certificates with real aggregates", () => {
  const qc = makeQc(global, 6n, [0, 1, 2])
  const agg = qc.aggregateSignature!

  test("3 of 4 signers form a valid QC (global and app)", () => {
    expect(check(qc)).toBe("Valid")
    expect(check(makeQc(app, 4n, [1, 2, 3]))).toBe("Valid")
  })

  test("QC rejections", () => {
    expect(check(new QuorumCertificate({ ...qc, aggregateSignature: new BLS48581AggregateSignature({ ...agg, bitmask: Uint8Array.of(0x0b) }) }))).toBe(
      "SignerSetMismatch",
    )
    expect(check(new QuorumCertificate({ ...qc, rank: 7n }))).toBe("InvalidCertificateSignature")
    // Signatures of {0, 1, 3} presented with the key and bitmask of {0, 1, 2}.
    const others = aggregateOf([0, 1, 3], makeVoteMessage(global, 6n, selector), voteDomain(global))
    expect(check(new QuorumCertificate({ ...qc, aggregateSignature: new BLS48581AggregateSignature({ ...agg, signature: others.signature }) }))).toBe(
      "InvalidCertificateSignature",
    )
    expect(check(new QuorumCertificate({ ...qc, aggregateSignature: new BLS48581AggregateSignature({ ...agg, signature: flipped(agg.signature, 73) }) }))).toBe(
      "InvalidCertificateSignature",
    )
  })

  test("a TC is a multi-message aggregate over each signer's newest QC rank", () => {
    const makeTc = (latestRanks: ReadonlyArray<bigint>, signedRanks: ReadonlyArray<bigint>) => {
      const signers = [0, 2, 3]
      const signature = Effect.runSync(
        verifier.aggregateSignatures(signers.map((i, j) => sign(i, makeTimeoutMessage(global, 8n, signedRanks[j] ?? 0n), timeoutDomain(global)))),
      )
      const publicKey = Effect.runSync(verifier.aggregatePublicKeys(signers.map((i) => provers[i]!.publicKey)))
      return new TimeoutCertificate({
        filter: global,
        rank: 8n,
        latestRanks,
        latestQuorumCertificate: qc,
        timestamp: 5n,
        aggregateSignature: new BLS48581AggregateSignature({ signature, publicKey, bitmask: makeSignerBitmask(signers, provers.length) }),
      })
    }
    const checkTc = (tc: TimeoutCertificate) => tagOf(runBls(validateTimeoutCertificate({ tc, committee: provers })))
    expect(checkTc(makeTc([6n, 5n, 6n], [6n, 5n, 6n]))).toBe("Valid")
    expect(checkTc(makeTc([6n, 6n, 6n], [6n, 5n, 6n]))).toBe("InvalidCertificateSignature")
  })
})

describe("a global frame with real keys and the native VDF", () => {
  const runtime = ManagedRuntime.make(Layer.mergeAll(BlsLayer, NativeFrameVdfLive))
  afterAll(() => runtime.dispose())
  const leader = 1
  const genesis = stubGlobalGenesisHeader({ timestamp: 1_000n, difficulty: 200 })

  test("produce (VDF + leader signature), certify with the committee's votes, validate; rejections carry their reason", async () => {
    const proposed = await runtime.runPromise(
      produceGlobalFrameHeader({
        parent: genesis,
        rank: 1n,
        timestamp: 11_000n,
        difficulty: 200,
        globalCommitments: Array.from({ length: 256 }, () => filled(0, 64)),
        proverTreeCommitment: filled(0, 64),
        requestsRoot: filled(0, 64),
        proverIndex: leader,
      }).pipe(Effect.provideService(ProverSigner, provers[leader]!.signer)),
    )
    const leaderSig = proposed.publicKeySignatureBls48581!
    expect(proposed.prover).toEqual(provers[leader]!.address)
    expect(leaderSig.publicKey).toEqual(provers[leader]!.publicKey)
    const vdfTimeMessage = globalProverSignatureMessage(globalChallenge(proposed), proposed.output)
    expect(Effect.runSync(verifier.verify(leaderSig.publicKey!, leaderSig.signature, vdfTimeMessage, GLOBAL_PROVER_SIGNATURE_DOMAIN))).toBe(true)

    const validate = (header: GlobalFrameHeader, strict = true) =>
      runtime.runPromise(
        Effect.either(validateGlobalFrame({ header, activeProvers: provers, parent: genesis, verifyAggregateSignature: strict, requireQuorum: strict })),
      )
    // The proposal is structurally valid (its key is the aggregate of its one bit).
    expect(tagOf(await validate(proposed, false))).toBe("Valid")

    const voteMessage = makeVoteMessage(global, 1n, poseidon(proposed.output))
    const certificate = aggregateOf([0, 1, 2, 3], voteMessage, voteDomain(global))
    const certified = new GlobalFrameHeader({ ...proposed, publicKeySignatureBls48581: certificate })
    const result = await validate(certified)
    expect(tagOf(result)).toBe("Valid")
    expect(Either.getOrThrow(result).signerIndices).toEqual([0, 1, 2, 3])
    // The same aggregate is the frame's QC.
    const frameQc = new QuorumCertificate({
      filter: global,
      rank: 1n,
      frameNumber: 1n,
      selector: poseidon(proposed.output),
      timestamp: 11_000n,
      aggregateSignature: certificate,
    })
    expect(check(frameQc)).toBe("Valid")

    const withSig = (sig: BLS48581AggregateSignature) => new GlobalFrameHeader({ ...certified, publicKeySignatureBls48581: sig })
    const wrongDomain = aggregateOf([0, 1, 2, 3], voteMessage, timeoutDomain(global))
    expect(tagOf(await validate(withSig(new BLS48581AggregateSignature({ ...certificate, signature: wrongDomain.signature }))))).toBe("BadSignature")
    expect(tagOf(await validate(withSig(new BLS48581AggregateSignature({ ...certificate, signature: flipped(certificate.signature, 20) }))))).toBe(
      "BadSignature",
    )
    const threeKeys = aggregateOf([0, 1, 2], voteMessage, voteDomain(global))
    expect(tagOf(await validate(withSig(new BLS48581AggregateSignature({ ...certificate, publicKey: threeKeys.publicKey }))))).toBe("BadAggregatePublicKey")
    expect(tagOf(await validate(new GlobalFrameHeader({ ...certified, output: flipped(certified.output, 300) })))).toBe("BadVdf")
    expect(tagOf(await validate(new GlobalFrameHeader({ ...certified, difficulty: 201 })))).toBe("BadVdf")
  }, 30_000)
})
