import { describe, expect, test } from "bun:test"
import { Encoder } from "cbor-x"
import { Schema } from "effect"
import { AppFrameHeader } from "../../../../../../actors/consensus/core/messages/app-frame-header.ts"
import { GlobalFrameHeader } from "../../../../../../actors/consensus/core/messages/global-frame-header.ts"
import { BLS48581AggregateSignature } from "../../../../../../actors/consensus/core/messages/signatures.ts"
import { filled } from "../support/hex.ts"

/**
 * The unsigned side (§0.1): storage values go Schema-encode → cbor-x → cbor-x decode → Schema-decode.
 * Hashes and signatures never use these bytes; they are recomputed from the canonical encoding.
 */
const cbor = new Encoder({ useRecords: false })

describe("schema classes survive cbor-x storage", () => {
  test("GlobalFrameHeader with bigint fields, a negative timestamp and a signature", () => {
    const h = new GlobalFrameHeader({
      frameNumber: (1n << 60n) + 3n,
      rank: 6n,
      timestamp: -7n,
      difficulty: 80_000,
      output: filled(9, 516),
      parentSelector: filled(1, 32),
      globalCommitments: [filled(2, 74), filled(3, 64)],
      proverTreeCommitment: filled(3, 74),
      requestsRoot: filled(4, 74),
      prover: filled(5, 32),
      publicKeySignatureBls48581: new BLS48581AggregateSignature({ signature: filled(6, 74), publicKey: filled(7, 585), bitmask: filled(8, 2) }),
    })
    const stored = cbor.encode(Schema.encodeSync(GlobalFrameHeader)(h))
    const back = Schema.decodeUnknownSync(GlobalFrameHeader)(cbor.decode(stored))
    expect(back.frameNumber).toBe(h.frameNumber)
    expect(back.timestamp).toBe(-7n)
    expect(back.globalCommitments).toEqual(h.globalCommitments)
    expect(back.publicKeySignatureBls48581?.publicKey).toEqual(filled(7, 585))
  })

  test("AppFrameHeader without a signature", () => {
    const h = new AppFrameHeader({
      address: filled(1, 32),
      frameNumber: 2n,
      rank: 3n,
      timestamp: 4n,
      difficulty: 5,
      output: filled(6, 516),
      parentSelector: filled(7, 32),
      requestsRoot: filled(8, 64),
      stateRoots: [filled(9, 64), filled(9, 64), filled(9, 64), filled(9, 64)],
      prover: filled(10, 32),
      feeMultiplierVote: 100n,
    })
    const back = Schema.decodeUnknownSync(AppFrameHeader)(cbor.decode(cbor.encode(Schema.encodeSync(AppFrameHeader)(h))))
    expect(back.publicKeySignatureBls48581).toBeUndefined()
    expect(back.feeMultiplierVote).toBe(100n)
    expect(back.stateRoots).toEqual(h.stateRoots)
  })

  test("schema validation rejects a public key that is not 585 bytes", () => {
    expect(() => new BLS48581AggregateSignature({ signature: filled(1, 74), publicKey: filled(2, 584), bitmask: new Uint8Array() })).toThrow()
  })
})
