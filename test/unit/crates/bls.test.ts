// BLS48-581 through bun:ffi: every vector in bls48581_sign_kzg.jsonl byte for byte, plus negative
// cases (wrong message / domain / key, non-subgroup points, garbage, wrong lengths).
import { bytesToHex, hexToBytes } from "@noble/hashes/utils.js"
import { describe, expect, test } from "bun:test"
import { Effect, Either } from "effect"
import { readFileSync } from "node:fs"
import { makeBls, type Bls } from "../../../crates/ts/bls/bls.ts"
import type { BlsError } from "../../../crates/ts/bls/errors.ts"
import { vectorPath } from "../../vectors/index.ts"

const VECTORS = vectorPath("bls48581_sign_kzg.jsonl")
const lines = readFileSync(VECTORS, "utf8")
  .trim()
  .split("\n")
  .map((l) => JSON.parse(l) as Record<string, string>)
/** A vector field as bytes (an absent field reads as no bytes). */
const fieldBytes = (s: string | undefined): Uint8Array => hexToBytes(s ?? "")
const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s)

const bls: Bls = Effect.runSync(makeBls())
const run = <A>(e: Effect.Effect<A, BlsError>): A => Effect.runSync(e)
const failTag = <A>(e: Effect.Effect<A, BlsError>): string => {
  const r = Effect.runSync(Effect.either(e))
  return Either.isLeft(r) ? r.left._tag : "succeeded"
}

const signers = lines.filter((l) => l["ikm"] !== undefined)
const agg = lines.find((l) => l["aggregate_pk"] !== undefined)

describe("bls48581 vectors", () => {
  test("there are two signer vectors and an aggregate", () => {
    expect(signers.length).toBe(2)
    expect(agg).toBeDefined()
  })

  for (const [i, v] of signers.entries()) {
    test(`keygen / sign / pop / verify, signer ${i}`, () => {
      const kp = run(bls.keygen(fieldBytes(v["ikm"])))
      expect(bytesToHex(kp.secretKey)).toBe(v["sk"]!)
      expect(bytesToHex(kp.publicKey)).toBe(v["pk"]!)
      expect(bytesToHex(kp.proofOfPossession)).toBe(v["pop"]!)
      expect(bytesToHex(run(bls.publicKey(kp.secretKey)))).toBe(v["pk"]!)
      const domain = fieldBytes(v["domain"])
      const msg = fieldBytes(v["msg"])
      const sig = run(bls.sign(kp.secretKey, domain, msg))
      expect(bytesToHex(sig)).toBe(v["sig"]!)
      expect(bytesToHex(run(bls.provePossession(kp.secretKey)))).toBe(v["pop"]!)
      expect(run(bls.verify(kp.publicKey, sig, domain, msg))).toBe(true)
      expect(run(bls.verifyPossession(kp.publicKey, kp.proofOfPossession))).toBe(true)
    }, 20_000)
  }

  test("aggregate public key and signature", () => {
    const { aggregatePublicKey, aggregateSignature } = run(
      bls.aggregate(
        signers.map((v) => fieldBytes(v["pk"])),
        signers.map((v) => fieldBytes(v["sig"])),
      ),
    )
    expect(bytesToHex(aggregatePublicKey)).toBe(agg?.["aggregate_pk"] ?? "")
    expect(bytesToHex(aggregateSignature)).toBe(agg?.["aggregate_sig"] ?? "")
    const domain = fieldBytes(signers[0]?.["domain"])
    const msg = fieldBytes(signers[0]?.["msg"])
    // Same message: the aggregate verifies under the aggregate key and as a multi-message check.
    expect(run(bls.verify(aggregatePublicKey, aggregateSignature, domain, msg))).toBe(true)
    expect(
      run(
        bls.verifyMultiMessage(
          signers.map((v) => fieldBytes(v["pk"])),
          aggregateSignature,
          [msg, msg],
          domain,
        ),
      ),
    ).toBe(true)
    // The separate sums are the same points as the joint aggregate.
    expect(bytesToHex(run(bls.aggregatePublicKeys(signers.map((v) => fieldBytes(v["pk"])))))).toBe(agg?.["aggregate_pk"] ?? "")
    expect(bytesToHex(run(bls.aggregateSignatures(signers.map((v) => fieldBytes(v["sig"])))))).toBe(agg?.["aggregate_sig"] ?? "")
  }, 20_000)

  test("separate sums refuse empty lists, wrong sizes and garbage", () => {
    expect(failTag(bls.aggregatePublicKeys([]))).toBe("BlsLengthError")
    expect(failTag(bls.aggregateSignatures([]))).toBe("BlsLengthError")
    expect(failTag(bls.aggregateSignatures([new Uint8Array(73)]))).toBe("BlsLengthError")
    expect(failTag(bls.aggregatePublicKeys([new Uint8Array(585).fill(0xff)]))).toBe("BlsEncodingError")
  })
})

describe("bls48581 negatives", () => {
  const v = signers[0]!
  const pk = fieldBytes(v["pk"])
  const sig = fieldBytes(v["sig"])
  const domain = fieldBytes(v["domain"])
  const msg = fieldBytes(v["msg"])

  test("wrong message, wrong domain, wrong key", () => {
    expect(run(bls.verify(pk, sig, domain, utf8("quilibrium test messagf")))).toBe(false)
    expect(run(bls.verify(pk, sig, utf8("appshard"), msg))).toBe(false)
    expect(run(bls.verify(fieldBytes(signers[1]?.["pk"]), sig, domain, msg))).toBe(false)
    // The message is domain ‖ msg: moving a byte between them changes nothing.
    expect(run(bls.verify(pk, sig, domain.subarray(0, 5), Uint8Array.from([...domain.subarray(5), ...msg])))).toBe(true)
    // A proof of possession is not a signature on the message, and vice versa.
    expect(run(bls.verify(pk, fieldBytes(v["pop"]), domain, msg))).toBe(false)
    expect(run(bls.verifyPossession(pk, sig))).toBe(false)
  }, 20_000)

  test("multi-message verify rejects a swapped message", () => {
    const sigs = signers.map((s, i) => run(bls.sign(fieldBytes(s["sk"]), domain, utf8(`m${i}`))))
    const { aggregateSignature } = run(
      bls.aggregate(
        signers.map((s) => fieldBytes(s["pk"])),
        sigs,
      ),
    )
    const pks = signers.map((s) => fieldBytes(s["pk"]))
    expect(run(bls.verifyMultiMessage(pks, aggregateSignature, [utf8("m0"), utf8("m1")], domain))).toBe(true)
    expect(run(bls.verifyMultiMessage(pks, aggregateSignature, [utf8("m1"), utf8("m0")], domain))).toBe(false)
    expect(failTag(bls.verifyMultiMessage(pks, aggregateSignature, [utf8("m0")], domain))).toBe("BlsLengthError")
  }, 20_000)

  test("garbage and wrong lengths are typed errors", () => {
    expect(failTag(bls.verify(pk, sig.subarray(0, 73), domain, msg))).toBe("BlsLengthError")
    expect(failTag(bls.verify(pk.subarray(1), sig, domain, msg))).toBe("BlsLengthError")
    const badFlag = Uint8Array.from(sig)
    badFlag[0] = 0x04
    expect(failTag(bls.verify(pk, badFlag, domain, msg))).toBe("BlsEncodingError")
    expect(failTag(bls.verify(pk, new Uint8Array(74).fill(0xff), domain, msg))).toBe("BlsEncodingError")
    expect(failTag(bls.verify(pk, new Uint8Array(74), domain, msg))).toBe("BlsEncodingError")
    expect(failTag(bls.sign(new Uint8Array(73), domain, msg))).toBe("BlsSubgroupError")
    expect(failTag(bls.sign(new Uint8Array(72), domain, msg))).toBe("BlsLengthError")
    expect(failTag(bls.aggregate([pk], []))).toBe("BlsLengthError")
    expect(failTag(bls.checkG1(new Uint8Array(0)))).toBe("BlsLengthError")
  })

  test("curve points outside the subgroup are rejected", () => {
    // x = 0 gives y^2 = 1: the point (0, 1) has order 3, so it is on E but not in G1.
    const order3 = new Uint8Array(74)
    order3[0] = 0x03
    expect(failTag(bls.checkG1(order3))).toBe("BlsSubgroupError")
    expect(failTag(bls.verify(pk, order3, domain, msg))).toBe("BlsSubgroupError")
    // Search small x for a G2 (twist) point: almost every twist point lies outside G2.
    let found = 0
    for (let x = 1; x < 40 && found < 2; x++) {
      const p = new Uint8Array(585)
      p[0] = 0x02
      p[584] = x
      const tag = failTag(bls.checkG2(p))
      if (tag === "BlsEncodingError") continue
      expect(tag).toBe("BlsSubgroupError")
      expect(failTag(bls.verify(p, sig, domain, msg))).toBe("BlsSubgroupError")
      found++
    }
    expect(found).toBeGreaterThan(0)
    // Valid points pass.
    expect(failTag(bls.checkG1(sig))).toBe("succeeded")
    expect(failTag(bls.checkG2(pk))).toBe("succeeded")
  }, 20_000)
})
