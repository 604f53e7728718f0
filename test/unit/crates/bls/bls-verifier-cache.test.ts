// makeBlsVerifier's verified-signature cache and Worker pool (crates/ts/bls/bls-live.ts): a check
// that passed is not repeated for the same bytes, a failed one always is, any changed byte is a new
// check, and the pool gives the same verdicts and errors as the synchronous binding, sharing one
// check between concurrent identical requests.
import { afterAll, describe, expect, test } from "bun:test"
import { Effect, Either, Exit, Layer, ManagedRuntime, Scope } from "effect"
import { type Bls, BlsLive, makeBls } from "../../../../crates/ts/bls/bls.ts"
import { makeBlsVerifyPool } from "../../../../crates/ts/bls/verify-pool.ts"
import { BlsVerifierOnWorkersFromService, makeBlsVerifier } from "../../../../crates/ts/bls/bls-live.ts"
import { BlsVerifier } from "../../../../crates/ts/services.ts"

const real = Effect.runSync(makeBls())
const enc = (s: string) => new TextEncoder().encode(s)
const domain = enc("global")
const keys = [1, 2].map((i) => Effect.runSync(real.keygen(new Uint8Array(32).fill(i))))
const k0 = keys[0]!
const k1 = keys[1]!
const msg = enc("vote")
const sig0 = Effect.runSync(real.sign(k0.secretKey, domain, msg))

/** The real binding, counting the native verifications it is asked for. */
const counting = () => {
  const calls = { verify: 0, multi: 0 }
  const bls: Bls = {
    ...real,
    verify: (...args) => Effect.suspend(() => ((calls.verify += 1), real.verify(...args))),
    verifyMultiMessage: (...args) => Effect.suspend(() => ((calls.multi += 1), real.verifyMultiMessage(...args))),
  }
  return { bls, calls }
}

describe("verified-signature cache", () => {
  test("a signature that verified is not checked again; a failing one always is", () => {
    const { bls, calls } = counting()
    const v = Effect.runSync(makeBlsVerifier(bls))
    expect(Effect.runSync(v.verify(k0.publicKey, sig0, msg, domain))).toBe(true)
    expect(Effect.runSync(v.verify(k0.publicKey, sig0.slice(), msg.slice(), domain.slice()))).toBe(true)
    expect(calls.verify).toBe(1)
    // Same signature under another key, message or domain: new checks, and all fail.
    expect(Effect.runSync(v.verify(k1.publicKey, sig0, msg, domain))).toBe(false)
    expect(Effect.runSync(v.verify(k0.publicKey, sig0, enc("votf"), domain))).toBe(false)
    expect(Effect.runSync(v.verify(k0.publicKey, sig0, msg, enc("globam")))).toBe(false)
    expect(Effect.runSync(v.verify(k1.publicKey, sig0, msg, domain))).toBe(false)
    expect(calls.verify).toBe(5)
  }, 10_000)

  test("multi-message aggregates are cached by keys, messages, signature and domain", () => {
    const { bls, calls } = counting()
    const v = Effect.runSync(makeBlsVerifier(bls))
    const msgs = [enc("a"), enc("b")]
    const sigs = keys.map((k, i) => Effect.runSync(real.sign(k.secretKey, domain, msgs[i]!)))
    const agg = Effect.runSync(real.aggregateSignatures(sigs))
    const pks = keys.map((k) => k.publicKey)
    expect(Effect.runSync(v.verifyMultiMessage(pks, msgs, agg, domain))).toBe(true)
    expect(Effect.runSync(v.verifyMultiMessage(pks, msgs, agg, domain))).toBe(true)
    expect(calls.multi).toBe(1)
    expect(Effect.runSync(v.verifyMultiMessage(pks, [msgs[1]!, msgs[0]!], agg, domain))).toBe(false)
    expect(calls.multi).toBe(2)
  }, 10_000)
})

describe("verifier on a Worker pool", () => {
  const scope = Effect.runSync(Scope.make())
  afterAll(() => Effect.runPromise(Scope.close(scope, Exit.void)))
  const pool = Effect.runSync(Scope.extend(makeBlsVerifyPool(2), scope))
  const pooled = Effect.runSync(makeBlsVerifier(real, pool))

  test("verdicts and errors match the synchronous binding", async () => {
    const sync = Effect.runSync(makeBlsVerifier(real))
    const cases: ReadonlyArray<readonly [Uint8Array, Uint8Array, Uint8Array]> = [
      [k0.publicKey, sig0, msg],
      [k1.publicKey, sig0, msg],
      [k0.publicKey, sig0, enc("other")],
      [k0.publicKey, new Uint8Array(74).fill(7), msg],
      [k0.publicKey, sig0.subarray(1), msg],
    ]
    for (const [pk, sig, m] of cases) {
      const a = Effect.runSync(Effect.either(sync.verify(pk, sig, m, domain)))
      const b = await Effect.runPromise(Effect.either(pooled.verify(pk, sig, m, domain)))
      expect(Either.isRight(b)).toBe(Either.isRight(a))
      if (Either.isRight(a) && Either.isRight(b)) expect(b.right).toBe(a.right)
      if (Either.isLeft(a) && Either.isLeft(b)) expect(b.left.reason).toBe(a.left.reason)
    }
  }, 20_000)

  test("concurrent checks of the same inputs share one native call", async () => {
    let posted = 0
    const countingPool = { ...pool, verify: (...args: Parameters<typeof pool.verify>) => Effect.suspend(() => ((posted += 1), pool.verify(...args))) }
    const v = Effect.runSync(makeBlsVerifier(real, countingPool))
    const sig = Effect.runSync(real.sign(k1.secretKey, domain, msg))
    const verdicts = await Effect.runPromise(
      Effect.all(
        [1, 2, 3].map(() => v.verify(k1.publicKey, sig, msg, domain)),
        { concurrency: "unbounded" },
      ),
    )
    expect(verdicts).toEqual([true, true, true])
    expect(posted).toBe(1)
    // Distinct inputs run in parallel on the pool's Workers and keep their own verdicts.
    const mixed = await Effect.runPromise(
      Effect.all([v.verify(k0.publicKey, sig0, msg, domain), v.verify(k0.publicKey, sig, msg, domain)], { concurrency: "unbounded" }),
    )
    expect(mixed).toEqual([true, false])
  }, 20_000)

  test("multi-message verification on the pool, including list-size errors", async () => {
    const msgs = [enc("a"), enc("b")]
    const sigs = keys.map((k, i) => Effect.runSync(real.sign(k.secretKey, domain, msgs[i]!)))
    const agg = Effect.runSync(real.aggregateSignatures(sigs))
    const pks = keys.map((k) => k.publicKey)
    expect(await Effect.runPromise(pooled.verifyMultiMessage(pks, msgs, agg, domain))).toBe(true)
    expect(await Effect.runPromise(pooled.verifyMultiMessage(pks, [msgs[1]!, msgs[0]!], agg, domain))).toBe(false)
    const mismatch = await Effect.runPromise(Effect.either(pooled.verifyMultiMessage(pks, [msgs[0]!], agg, domain)))
    expect(Either.isLeft(mismatch) && mismatch.left.reason.startsWith("BlsLengthError")).toBe(true)
  }, 20_000)
})

test("BlsVerifierOnWorkersFromService verifies on its Workers and closes with its scope", async () => {
  const runtime = ManagedRuntime.make(BlsVerifierOnWorkersFromService(1).pipe(Layer.provide(BlsLive)))
  const verdicts = await runtime.runPromise(
    Effect.flatMap(BlsVerifier, (v) => Effect.all([v.verify(k0.publicKey, sig0, msg, domain), v.verify(k1.publicKey, sig0, msg, domain)])),
  )
  expect(verdicts).toEqual([true, false])
  await runtime.dispose()
}, 20_000)
