import { hexToBytes } from "@noble/hashes/utils.js"
import { describe, expect, test } from "bun:test"
import { Effect, Either } from "effect"
import { appendMultiproofs, parseAppendedMultiproofs, validateAppFrame, validateGlobalFrame } from "../../../../../actors/consensus/core/frame-validation.ts"
import {
  produceAppFrameHeader,
  produceAppGenesisHeader,
  produceGlobalFrameHeader,
  stubGlobalGenesisHeader,
} from "../../../../../actors/consensus/core/frame-production.ts"
import { AppFrameHeader } from "../../../../../actors/consensus/core/messages/app-frame-header.ts"
import { GlobalFrameHeader } from "../../../../../actors/consensus/core/messages/global-frame-header.ts"
import { BLS48581AggregateSignature } from "../../../../../actors/consensus/core/messages/signatures.ts"
import { BlsVerifier, Poseidon } from "../../../../../crates/ts/services.ts"
import { makeVoteMessage, voteDomain } from "../../../../../actors/consensus/core/signed-messages.ts"
import { makeSignerBitmask } from "../../../../../actors/consensus/core/signer-bitmask.ts"
import { insecureTestVdfOutput } from "../../../../../runtime/testing/insecure-test-vdf.ts"
import { multiproofChallenge } from "../../../../../actors/consensus/core/vdf-challenge.ts"
import { CryptoLayer, makeCommittee, run, signerLayer } from "./support/devnet-crypto.ts"
import { filled } from "./support/hex.ts"
import { testPoseidonHashBytes as poseidon } from "./support/poseidon.ts"

const { provers } = makeCommittee(4)
const leader = provers[1]!

const tagOf = <A, E extends { readonly _tag: string }>(result: Either.Either<A, E>): string =>
  Either.match(result, { onLeft: (e) => e._tag, onRight: () => "Valid" })

/** Replaces a header's signature block with the aggregate of `signers`' votes (what a QC carries). */
const certify = (filter: Uint8Array, rank: bigint, output: Uint8Array, signerIndices: ReadonlyArray<number>, extraProofs: ReadonlyArray<Uint8Array> = []) =>
  Effect.gen(function* () {
    const bls = yield* BlsVerifier
    const selector = (yield* Poseidon)(output)
    const message = makeVoteMessage(filter, rank, selector)
    const signers = signerIndices.map((i) => provers[i]!)
    const sigs = yield* Effect.forEach(signers, (p) => p.signer.sign(message, voteDomain(filter)))
    const signature = yield* bls.aggregateSignatures(sigs)
    const publicKey = yield* bls.aggregatePublicKeys(signers.map((p) => p.publicKey))
    return new BLS48581AggregateSignature({
      signature: appendMultiproofs(signature, extraProofs),
      publicKey,
      bitmask: makeSignerBitmask(signerIndices, provers.length),
    })
  }).pipe(Effect.provide(CryptoLayer), Effect.runSync)

const genesis = stubGlobalGenesisHeader({ timestamp: 1_000n, difficulty: 100 })
const proposed = Effect.runSync(
  produceGlobalFrameHeader({
    parent: genesis,
    rank: 1n,
    timestamp: 11_000n,
    difficulty: 100,
    globalCommitments: Array.from({ length: 256 }, () => filled(0, 64)),
    proverTreeCommitment: filled(0, 64),
    requestsRoot: filled(0, 64),
    proverIndex: 1,
  }).pipe(Effect.provide(CryptoLayer), Effect.provide(signerLayer(leader.signer))),
)
const certified = new GlobalFrameHeader({ ...proposed, publicKeySignatureBls48581: certify(new Uint8Array(), 1n, proposed.output, [0, 1, 3]) })

const validateGlobal = (header: GlobalFrameHeader, options: { readonly parent?: GlobalFrameHeader; readonly strict?: boolean } = {}) =>
  run(
    validateGlobalFrame({
      header,
      activeProvers: provers,
      ...(options.parent === undefined ? {} : { parent: options.parent }),
      verifyAggregateSignature: options.strict ?? true,
      requireQuorum: options.strict ?? true,
    }),
  )

describe("global frame production", () => {
  test("the produced header extends its parent and carries the leader's VDF-time signature", () => {
    expect(proposed.frameNumber).toBe(1n)
    expect(proposed.rank).toBe(1n)
    expect(proposed.parentSelector).toEqual(poseidon(genesis.output))
    expect(proposed.prover).toEqual(leader.address)
    const sig = proposed.publicKeySignatureBls48581!
    expect(sig.bitmask).toEqual(makeSignerBitmask([1], 256, 32))
    expect(sig.publicKey).toEqual(leader.publicKey)
    // The proposal header validates structurally (its key is the aggregate of its one bit).
    expect(tagOf(validateGlobal(proposed, { parent: genesis, strict: false }))).toBe("Valid")
  })

  test("the certified header validates with quorum and aggregate signature checks", () => {
    const result = validateGlobal(certified, { parent: genesis })
    expect(tagOf(result)).toBe("Valid")
    expect(Either.getOrThrow(result).signerIndices).toEqual([0, 1, 3])
    expect(Either.getOrThrow(result).selector).toEqual(poseidon(certified.output))
  })

  test("genesis (frame 0) is valid without signature checks", () => {
    expect(tagOf(validateGlobal(genesis))).toBe("Valid")
  })
})

describe("validateGlobalFrame rejects each bad field with its reason", () => {
  const h = certified
  const sig = h.publicKeySignatureBls48581!
  const cases: ReadonlyArray<readonly [string, () => Either.Either<unknown, { readonly _tag: string }>, string]> = [
    ["timestamp 0", () => validateGlobal(new GlobalFrameHeader({ ...h, timestamp: 0n })), "BadTimestamp"],
    ["difficulty 0", () => validateGlobal(new GlobalFrameHeader({ ...h, difficulty: 0 })), "BadDifficulty"],
    ["output of 515 bytes", () => validateGlobal(new GlobalFrameHeader({ ...h, output: h.output.subarray(1) })), "BadOutput"],
    ["parent selector of 31 bytes", () => validateGlobal(new GlobalFrameHeader({ ...h, parentSelector: h.parentSelector.subarray(1) })), "BadParentSelector"],
    ["255 commitments", () => validateGlobal(new GlobalFrameHeader({ ...h, globalCommitments: h.globalCommitments.slice(1) })), "BadCommitments"],
    [
      "a 65-byte commitment",
      () => validateGlobal(new GlobalFrameHeader({ ...h, globalCommitments: [filled(0, 65), ...h.globalCommitments.slice(1)] })),
      "BadCommitments",
    ],
    [
      "prover tree commitment of 32 bytes",
      () => validateGlobal(new GlobalFrameHeader({ ...h, proverTreeCommitment: filled(0, 32) })),
      "BadProverTreeCommitment",
    ],
    ["no signature block", () => validateGlobal(new GlobalFrameHeader({ ...h, publicKeySignatureBls48581: undefined })), "MissingSignature"],
    ["requests root of 10 bytes", () => validateGlobal(new GlobalFrameHeader({ ...h, requestsRoot: filled(0, 10) })), "BadRequestsRoot"],
    ["prover of 31 bytes", () => validateGlobal(new GlobalFrameHeader({ ...h, prover: filled(0, 31) })), "BadProver"],
    [
      "signature block without a key",
      () =>
        validateGlobal(
          new GlobalFrameHeader({ ...h, publicKeySignatureBls48581: new BLS48581AggregateSignature({ signature: sig.signature, bitmask: sig.bitmask }) }),
        ),
      "MissingSignature",
    ],
    [
      "a 73-byte signature",
      () =>
        validateGlobal(
          new GlobalFrameHeader({ ...h, publicKeySignatureBls48581: new BLS48581AggregateSignature({ ...sig, signature: sig.signature.subarray(1) }) }),
        ),
      "BadSignatureEncoding",
    ],
    ["frame number not parent + 1", () => validateGlobal(new GlobalFrameHeader({ ...h, frameNumber: 2n }), { parent: genesis }), "BadFrameNumber"],
    ["parent selector of another frame", () => validateGlobal(h, { parent: new GlobalFrameHeader({ ...genesis, output: filled(1, 516) }) }), "BadParent"],
    ["rank not above the parent's", () => validateGlobal(h, { parent: new GlobalFrameHeader({ ...genesis, rank: 1n }) }), "BadRank"],
    [
      "a flipped output byte",
      () => {
        const output = h.output.slice()
        output[0] = (output[0] ?? 0) ^ 1
        return validateGlobal(new GlobalFrameHeader({ ...h, output }))
      },
      "BadVdf",
    ],
    ["a different timestamp (changes the VDF challenge)", () => validateGlobal(new GlobalFrameHeader({ ...h, timestamp: h.timestamp + 1n })), "BadVdf"],
    [
      "an empty bitmask",
      () => validateGlobal(new GlobalFrameHeader({ ...h, publicKeySignatureBls48581: new BLS48581AggregateSignature({ ...sig, bitmask: new Uint8Array() }) })),
      "BadBitmask",
    ],
    [
      "a bit beyond the committee",
      () => validateGlobal(new GlobalFrameHeader({ ...h, publicKeySignatureBls48581: new BLS48581AggregateSignature({ ...sig, bitmask: hexToBytes("1b") }) })),
      "BadBitmask",
    ],
    [
      "signers below quorum (2 of 4 equal weights < ⌊2·40/3⌋ = 26)",
      () => validateGlobal(new GlobalFrameHeader({ ...h, publicKeySignatureBls48581: certify(new Uint8Array(), 1n, h.output, [0, 1]) })),
      "BadBitmask",
    ],
    [
      "bitmask that names other signers than the key aggregates",
      () => validateGlobal(new GlobalFrameHeader({ ...h, publicKeySignatureBls48581: new BLS48581AggregateSignature({ ...sig, bitmask: hexToBytes("07") }) })),
      "BadAggregatePublicKey",
    ],
    [
      "aggregate signed over a different rank",
      () =>
        validateGlobal(
          new GlobalFrameHeader({
            ...h,
            publicKeySignatureBls48581: new BLS48581AggregateSignature({ ...sig, signature: certify(new Uint8Array(), 2n, h.output, [0, 1, 3]).signature }),
          }),
        ),
      "BadSignature",
    ],
  ]
  for (const [name, validate, expected] of cases) test(`${name} → ${expected}`, () => expect(tagOf(validate())).toBe(expected))
})

const app = filled(0xa0, 32)
const appGenesis = Effect.runSync(produceAppGenesisHeader({ address: app, difficulty: 100, prover: provers[0]!.address }).pipe(Effect.provide(CryptoLayer)))
const appProposed = Effect.runSync(
  produceAppFrameHeader({
    parent: appGenesis,
    frameNumber: 5n, // follows the global head, not appGenesis + 1 (§1.6 step 4)
    rank: 1n,
    timestamp: 2_000n,
    difficulty: 100,
    feeMultiplierVote: 100n,
    requestsRoot: filled(0, 64),
    stateRoots: [filled(0, 64), filled(0, 64), filled(0, 64), filled(0, 64)],
    prover: leader.address,
  }).pipe(Effect.provide(CryptoLayer)),
)
const appSelector = poseidon(appProposed.output)
const ids = provers.map((p) => p.address)
const proofs = ids.map((id) => insecureTestVdfOutput(multiproofChallenge(appProposed.parentSelector), appProposed.difficulty, id))
const appCertified = new AppFrameHeader({ ...appProposed, publicKeySignatureBls48581: certify(app, 1n, appProposed.output, [0, 1, 2, 3], proofs) })

const validateApp = (header: AppFrameHeader, options: { readonly parent?: AppFrameHeader; readonly ids?: ReadonlyArray<Uint8Array> } = {}) =>
  run(
    validateAppFrame({
      header,
      activeProvers: provers,
      ...(options.parent === undefined ? {} : { parent: options.parent }),
      ...(options.ids === undefined ? {} : { multiproofIds: options.ids }),
    }),
  )

describe("app frames", () => {
  test("genesis, an unsigned proposal, and a certified frame with multiproofs validate", () => {
    expect(appGenesis.frameNumber).toBe(0n)
    expect(appGenesis.timestamp).toBe(0n)
    expect(tagOf(validateApp(appGenesis))).toBe("Valid")
    expect(tagOf(validateApp(appProposed, { parent: appGenesis }))).toBe("Valid")
    const result = validateApp(appCertified, { parent: appGenesis, ids })
    expect(tagOf(result)).toBe("Valid")
    expect(Either.getOrThrow(result).selector).toEqual(appSelector)
    expect(Either.getOrThrow(result).signerIndices).toEqual([0, 1, 2, 3])
  })

  test("a single proposer vote (74 bytes, one bit) validates", () => {
    const single = new AppFrameHeader({ ...appProposed, publicKeySignatureBls48581: certify(app, 1n, appProposed.output, [2]) })
    expect(tagOf(validateApp(single))).toBe("Valid")
  })

  test("a bare 74-byte quorum aggregate (a certified frame without multiproofs) validates with its signers (D-SIG-3)", () => {
    const bare = new AppFrameHeader({ ...appProposed, publicKeySignatureBls48581: certify(app, 1n, appProposed.output, [0, 1, 3]) })
    const result = validateApp(bare)
    expect(tagOf(result)).toBe("Valid")
    expect(Either.getOrThrow(result).signerIndices).toEqual([0, 1, 3])
  })

  test("multiproofs are checked at the parent's difficulty when the parent is known (D-SIG-2)", () => {
    const harderParent = new AppFrameHeader({ ...appGenesis, difficulty: 200 })
    expect(tagOf(validateApp(appCertified, { parent: harderParent, ids }))).toBe("BadMultiproof")
    const proofsAt200 = ids.map((id) => insecureTestVdfOutput(multiproofChallenge(appProposed.parentSelector), 200, id))
    const provedAt200 = new AppFrameHeader({ ...appProposed, publicKeySignatureBls48581: certify(app, 1n, appProposed.output, [0, 1, 2, 3], proofsAt200) })
    expect(tagOf(validateApp(provedAt200, { parent: harderParent, ids }))).toBe("Valid")
  })

  test("appended multiproof layout: u32 count ‖ count × 516", () => {
    const sig74 = filled(7, 74)
    expect(parseAppendedMultiproofs(sig74)).toEqual([])
    expect(parseAppendedMultiproofs(appendMultiproofs(sig74, proofs))).toEqual(proofs)
    expect(typeof parseAppendedMultiproofs(new Uint8Array([...sig74, 0, 0, 0, 2, 1, 2]))).toBe("string")
  })
})

describe("validateAppFrame rejects each bad field with its reason", () => {
  const h = appCertified
  const sig = h.publicKeySignatureBls48581!
  const withSig = (s: BLS48581AggregateSignature) => new AppFrameHeader({ ...h, publicKeySignatureBls48581: s })
  const cases: ReadonlyArray<readonly [string, () => Either.Either<unknown, { readonly _tag: string }>, string]> = [
    ["address of 31 bytes", () => validateApp(new AppFrameHeader({ ...h, address: filled(1, 31) })), "BadAddress"],
    ["3 state roots", () => validateApp(new AppFrameHeader({ ...h, stateRoots: h.stateRoots.slice(1) })), "BadStateRoots"],
    ["a 63-byte state root", () => validateApp(new AppFrameHeader({ ...h, stateRoots: [filled(0, 63), ...h.stateRoots.slice(1)] })), "BadStateRoots"],
    ["requests root of 32 bytes", () => validateApp(new AppFrameHeader({ ...h, requestsRoot: filled(0, 32) })), "BadRequestsRoot"],
    ["empty prover", () => validateApp(new AppFrameHeader({ ...h, prover: new Uint8Array() })), "BadProver"],
    ["prover of 31 bytes", () => validateApp(new AppFrameHeader({ ...h, prover: filled(0, 31) })), "BadProver"],
    ["timestamp 0", () => validateApp(new AppFrameHeader({ ...h, timestamp: 0n })), "BadTimestamp"],
    ["difficulty 0", () => validateApp(new AppFrameHeader({ ...h, difficulty: 0 })), "BadDifficulty"],
    ["output of 515 bytes", () => validateApp(new AppFrameHeader({ ...h, output: h.output.subarray(1) })), "BadOutput"],
    ["parent selector of 0 bytes", () => validateApp(new AppFrameHeader({ ...h, parentSelector: new Uint8Array() })), "BadParentSelector"],
    ["frame number not after the parent", () => validateApp(h, { parent: new AppFrameHeader({ ...appGenesis, frameNumber: 5n }) }), "BadFrameNumber"],
    ["another parent", () => validateApp(h, { parent: new AppFrameHeader({ ...appGenesis, output: filled(3, 516) }) }), "BadParent"],
    ["rank not above the parent's", () => validateApp(h, { parent: new AppFrameHeader({ ...appGenesis, rank: 4n }) }), "BadRank"],
    ["a different fee vote (changes the VDF challenge)", () => validateApp(new AppFrameHeader({ ...h, feeMultiplierVote: 101n })), "BadVdf"],
    [
      "a signature block without a key",
      () => validateApp(withSig(new BLS48581AggregateSignature({ signature: sig.signature, bitmask: sig.bitmask }))),
      "BadSignatureEncoding",
    ],
    ["a 10-byte signature", () => validateApp(withSig(new BLS48581AggregateSignature({ ...sig, signature: filled(1, 10) }))), "BadSignatureEncoding"],
    ["a forged signature", () => validateApp(withSig(new BLS48581AggregateSignature({ ...sig, signature: filled(1, 74) }))), "BadSignature"],
    [
      // D-SIG-3: a bare aggregate of four signers is a certified app frame's QC signature; no bit at all is not.
      "a bare 74-byte signature with no signer bit",
      () => validateApp(withSig(new BLS48581AggregateSignature({ ...sig, signature: sig.signature.subarray(0, 74), bitmask: hexToBytes("00") }))),
      "BadBitmask",
    ],
    [
      "a proof section with a wrong count",
      () => validateApp(withSig(new BLS48581AggregateSignature({ ...sig, signature: sig.signature.subarray(0, sig.signature.length - 1) }))),
      "BadMultiproof",
    ],
    ["proofs against the wrong ids", () => validateApp(h, { ids: [...ids.slice(1), filled(9, 32)] }), "BadMultiproof"],
    [
      "bitmask that does not match the aggregate key",
      () => validateApp(withSig(new BLS48581AggregateSignature({ ...sig, bitmask: hexToBytes("07") }))),
      "BadAggregatePublicKey",
    ],
  ]
  for (const [name, validate, expected] of cases) test(`${name} → ${expected}`, () => expect(tagOf(validate())).toBe(expected))
})
