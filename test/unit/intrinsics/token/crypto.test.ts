// Decaf448 pieces of the token: zero-blind commitments, stealth one-time keys and masks (spec §2.5,
// §11.4 items 2, 4, 5), and the transparent Schnorr spend signature (item 6).
import { describe, expect, test } from "bun:test"
import { decaf448 } from "@noble/curves/ed448.js"
import fc from "fast-check"
import { commitValue, decodePoint, IDENTITY, mulBase, scalarFromBytes, scalarToBytes } from "../../../../intrinsics/token/decaf.ts"
import { signatureParts, signSpend, verifySpend } from "../../../../intrinsics/token/schnorr.ts"
import { accountOf, decodeAccount, encodeAccount, recipientOutput, recoverOutput } from "../../../../intrinsics/token/stealth.ts"
import { alice, aliceAccount, bob } from "./fixtures/token-env.ts"

describe("commitments", () => {
  test("value·G with a zero blind: additive, 0 is the identity", () => {
    expect(Array.from(commitValue(0n))).toEqual(Array.from(IDENTITY.toBytes()))
    const sum = decodePoint(commitValue(5n))?.add(decodePoint(commitValue(7n)) ?? IDENTITY)
    expect(Array.from(sum?.toBytes() ?? [])).toEqual(Array.from(commitValue(12n)))
    expect(commitValue(1n)).not.toEqual(commitValue(2n))
  })
  test("mulBase (the precomputed-table base) equals k·G by the untabled ladder, for any scalar", () => {
    // A base decoded from its bytes is another object: noble keeps no table for it (window 1).
    const plainBase = decaf448.Point.fromBytes(decaf448.Point.BASE.toBytes())
    const order = decaf448.Point.Fn.ORDER
    const scalar = fc.oneof(fc.bigInt({ min: 0n, max: order - 1n }), fc.constantFrom(0n, 1n, order - 1n, order, order + 1n, -1n, 2n ** 128n - 1n))
    fc.assert(
      fc.property(scalar, (k) => {
        const r = ((k % order) + order) % order
        const expected = r === 0n ? IDENTITY.toBytes() : plainBase.multiplyUnsafe(r).toBytes()
        expect(Array.from(mulBase(k).toBytes())).toEqual(Array.from(expected))
      }),
      { numRuns: 60 },
    )
  })
  test("commitValue (the public-amount table) equals v·G by the untabled ladder for every amount < 2^128", () => {
    const plainBase = decaf448.Point.fromBytes(decaf448.Point.BASE.toBytes())
    const edges = [0n, 1n, 255n, 256n, 257n, 65_535n, 2n ** 64n, 2n ** 120n - 1n, 2n ** 128n - 1n, 8_000_000_000n * 3n]
    const amount = fc.oneof(fc.bigInt({ min: 0n, max: 2n ** 128n - 1n }), fc.bigInt({ min: 0n, max: 2n ** 40n }), fc.constantFrom(...edges))
    fc.assert(
      fc.property(amount, (v) => {
        const expected = v === 0n ? IDENTITY.toBytes() : plainBase.multiplyUnsafe(v).toBytes()
        expect(Array.from(commitValue(v))).toEqual(Array.from(expected))
      }),
      { numRuns: 150 },
    )
    // Outside the table's range it falls back to the ladder (reduced mod ℓ), still v·G.
    expect(Array.from(commitValue(2n ** 128n))).toEqual(Array.from(plainBase.multiplyUnsafe(2n ** 128n).toBytes()))
  })
  test("scalars are canonical 56-byte little-endian; non-canonical bytes are refused", () => {
    expect(scalarFromBytes(scalarToBytes(123456789n))).toBe(123456789n)
    expect(scalarFromBytes(new Uint8Array(56).fill(0xff))).toBeUndefined()
    expect(scalarFromBytes(new Uint8Array(55))).toBeUndefined()
    expect(decodePoint(new Uint8Array(56).fill(0xff))).toBeUndefined()
  })
})

describe("stealth outputs", () => {
  test("the recipient recovers value and spend secret; VK = (k + s)·G; another wallet sees nothing", () => {
    const out = recipientOutput(aliceAccount, 42n, 8_000_000_000n)
    if (out === undefined) throw new Error("no output")
    const owned = recoverOutput(alice, out)
    expect(owned?.value).toBe(8_000_000_000n)
    expect(owned?.blind).toBe(0n)
    expect(Array.from(mulBase(owned?.secret ?? 0n).toBytes())).toEqual(Array.from(out.verificationKey))
    expect(recoverOutput(bob, out)).toBeUndefined()
  })
  test("two outputs to one account are unlinkable: different R and VK", () => {
    const a = recipientOutput(aliceAccount, 1n, 5n)
    const b = recipientOutput(aliceAccount, 2n, 5n)
    expect(a?.oneTimeKey).not.toEqual(b?.oneTimeKey)
    expect(a?.verificationKey).not.toEqual(b?.verificationKey)
    expect(a?.coinBalance).not.toEqual(b?.coinBalance)
  })
  test("accounts are V ‖ S, 112 bytes; garbage is refused", () => {
    expect(decodeAccount(encodeAccount(accountOf(alice)))).toEqual(aliceAccount)
    expect(decodeAccount(new Uint8Array(112).fill(0xff))).toBeUndefined()
    expect(decodeAccount(new Uint8Array(111))).toBeUndefined()
  })
})

describe("spend signatures", () => {
  const message = new Uint8Array(56).fill(3)
  const commitment = commitValue(9n)
  test("sign/verify; the layout carries VK and the commitment", () => {
    const sig = signSpend(77n, commitment, message)
    expect(sig.length).toBe(224)
    expect(verifySpend(sig, message)).toBe(true)
    expect(signatureParts(sig)?.verificationKey).toEqual(mulBase(77n).toBytes())
    expect(signatureParts(sig)?.commitment).toEqual(commitment)
  })
  test("another message, a flipped byte, another key's VK, a wrong length: refused", () => {
    const sig = signSpend(77n, commitment, message)
    expect(verifySpend(sig, new Uint8Array(56).fill(4))).toBe(false)
    for (const at of [0, 60, 120]) {
      const bad = sig.slice()
      bad[at] = (bad[at] ?? 0) ^ 1
      expect(verifySpend(bad, message)).toBe(false)
    }
    const swapped = sig.slice()
    swapped.set(mulBase(78n).toBytes(), 112)
    expect(verifySpend(swapped, message)).toBe(false)
    expect(verifySpend(sig.slice(0, 223), message)).toBe(false)
  })
})
