// Fuzzing the BLS48-581 decoders and verify through bun:ffi: 10,000 random or mutated inputs each
// must come back as a verdict or a typed error, never a crash. Inputs are biased towards
// x < p so most reach the square root and subgroup checks instead of failing on the first byte.
import { expect, test } from "bun:test"
import { Effect, Either } from "effect"
import { makeBls } from "../../../crates/ts/bls/bls.ts"

const bls = Effect.runSync(makeBls())
const ikm = new Uint8Array(64).fill(9)
const kp = Effect.runSync(bls.keygen(ikm))
const domain = new TextEncoder().encode("global")
const msg = new TextEncoder().encode("fuzz")
const sig = Effect.runSync(bls.sign(kp.secretKey, domain, msg))

// Deterministic xorshift so failures are reproducible.
let seed = 0x9e3779b9
const next = (): number => {
  seed ^= seed << 13
  seed ^= seed >>> 17
  seed ^= seed << 5
  return seed >>> 0
}
const randomBytes = (n: number): Uint8Array => Uint8Array.from({ length: n }, () => next() & 0xff)

/** A 1 + 73k byte string: random flag among 00..04, coefficients kept below p most of the time. */
const pointLike = (coeffs: number): Uint8Array => {
  const b = randomBytes(1 + 73 * coeffs)
  b[0] = next() % 5
  for (let i = 0; i < coeffs; i++) if (next() % 8 !== 0) b[1 + 73 * i] = next() % 0x12
  return b
}

const mutate = (b: Uint8Array): Uint8Array => {
  const c = Uint8Array.from(b)
  const flips = 1 + (next() % 3)
  for (let i = 0; i < flips; i++) c[next() % c.length] = next() & 0xff
  return c
}

const ALLOWED = new Set(["BlsLengthError", "BlsEncodingError", "BlsSubgroupError"])

test("10,000 G1 decodes never crash", () => {
  const tags = new Map<string, number>()
  for (let i = 0; i < 10_000; i++) {
    const input = i % 10 === 0 ? randomBytes(next() % 100) : pointLike(1)
    const r = Effect.runSync(Effect.either(bls.checkG1(input)))
    const tag = Either.isLeft(r) ? r.left._tag : "ok"
    if (tag !== "ok") expect(ALLOWED.has(tag)).toBe(true)
    tags.set(tag, (tags.get(tag) ?? 0) + 1)
  }
  // The bias works: some inputs got past the encoding checks to the subgroup test.
  expect(tags.get("BlsSubgroupError") ?? 0).toBeGreaterThan(100)
}, 60_000)

test("2,000 G2 decodes never crash", () => {
  let subgroup = 0
  for (let i = 0; i < 2_000; i++) {
    const r = Effect.runSync(Effect.either(bls.checkG2(i % 4 === 0 ? mutate(kp.publicKey) : pointLike(8))))
    if (Either.isLeft(r)) {
      expect(ALLOWED.has(r.left._tag)).toBe(true)
      if (r.left._tag === "BlsSubgroupError") subgroup++
    }
  }
  expect(subgroup).toBeGreaterThan(10)
}, 60_000)

test("10,000 verify calls on random or mutated inputs never crash", () => {
  // Mostly random bytes (rejected while decoding, cheaply); one call in 20 mutates a valid key or
  // signature so the subgroup checks and the pairing path are fuzzed too.
  let valid = 0
  for (let i = 0; i < 10_000; i++) {
    let pk: Uint8Array = kp.publicKey
    let s: Uint8Array = sig
    const which = i % 20
    if (which === 0) pk = mutate(kp.publicKey)
    else if (which === 1) s = mutate(sig)
    else if (which < 8) s = i % 3 === 0 ? pointLike(1) : randomBytes(74)
    else if (which < 14) pk = i % 3 === 0 ? pointLike(8) : randomBytes(585)
    else if (which < 17) s = randomBytes(next() % 100)
    else pk = randomBytes(next() % 700)
    const r = Effect.runSync(Effect.either(bls.verify(pk, s, domain, msg)))
    if (Either.isLeft(r)) expect(ALLOWED.has(r.left._tag)).toBe(true)
    else if (r.right) valid++
  }
  // A mutation can only verify if it wrote the same byte back.
  expect(valid).toBeLessThan(20)
}, 120_000)
