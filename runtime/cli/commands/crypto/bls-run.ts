// `crypto bls keygen|sign|verify|aggregate` (bls.ts). Bad arguments fail with UsageError
// (exit 2). A correctly sized key or signature that is not a subgroup point is `invalid`.
import { bytesToHex } from "@noble/hashes/utils.js"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import { makeBls, type Bls } from "../../../../crates/ts/bls/bls.ts"
import type { BlsError } from "../../../../crates/ts/bls/errors.ts"
import { G1_BYTES, G2_BYTES, SECRET_KEY_BYTES } from "../../../../crates/ts/bls/native.ts"
import { hexArg, println } from "../../command.ts"
import { NegativeAnswer, UsageError } from "../../errors.ts"

const withBls = <A>(what: string, body: (bls: Bls) => Effect.Effect<A, BlsError>): Effect.Effect<A, UsageError> =>
  Effect.flatMap(makeBls(), body).pipe(Effect.mapError((e) => new UsageError({ reason: `${what} failed: ${e._tag}: ${e.reason}` })))

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s)

const hexList = (value: string, what: string, size: number): Effect.Effect<ReadonlyArray<Uint8Array>, UsageError> =>
  value.length === 0
    ? Effect.fail(new UsageError({ reason: `${what} must be a comma-separated hex list` }))
    : Effect.forEach(value.split(","), (item, i) => hexArg(item, `${what}[${i}]`, size))

export const keygen = (ikmArg: string): Effect.Effect<void, UsageError> =>
  Effect.gen(function* () {
    const ikm = yield* hexArg(ikmArg, "ikm")
    const keys = yield* withBls("keygen", (bls) => bls.keygen(ikm))
    yield* println(bytesToHex(keys.secretKey))
    yield* println(bytesToHex(keys.publicKey))
  })

export const sign = (skArg: string, domain: string, msgArg: string): Effect.Effect<void, UsageError> =>
  Effect.gen(function* () {
    const sk = yield* hexArg(skArg, "secret key", SECRET_KEY_BYTES)
    const msg = yield* hexArg(msgArg, "message")
    const sig = yield* withBls("sign", (bls) => bls.sign(sk, utf8(domain), msg))
    yield* println(bytesToHex(sig))
  })

export const verify = (pkArg: string, domain: string, msgArg: string, sigArg: string): Effect.Effect<void, UsageError | NegativeAnswer> =>
  Effect.gen(function* () {
    const pk = yield* hexArg(pkArg, "public key", G2_BYTES)
    const msg = yield* hexArg(msgArg, "message")
    const sig = yield* hexArg(sigArg, "signature", G1_BYTES)
    const r = yield* Effect.either(Effect.flatMap(makeBls(), (bls) => bls.verify(pk, sig, utf8(domain), msg)))
    // Undecodable or off-subgroup points are a "no", not an error.
    if (Either.isLeft(r) && r.left._tag !== "BlsEncodingError" && r.left._tag !== "BlsSubgroupError") {
      return yield* new UsageError({ reason: `verify failed: ${r.left._tag}: ${r.left.reason}` })
    }
    const valid = Either.isRight(r) && r.right
    yield* println(valid ? "valid" : "invalid")
    if (!valid) return yield* new NegativeAnswer()
  })

export const aggregate = (pksArg: string, sigsArg: string): Effect.Effect<void, UsageError> =>
  Effect.gen(function* () {
    const pks = yield* hexList(pksArg, "public keys", G2_BYTES)
    const sigs = yield* hexList(sigsArg, "signatures", G1_BYTES)
    if (pks.length !== sigs.length) {
      return yield* new UsageError({ reason: `${pks.length} public keys but ${sigs.length} signatures` })
    }
    const agg = yield* withBls("aggregate", (bls) => bls.aggregate(pks, sigs))
    yield* println(bytesToHex(agg.aggregatePublicKey))
    yield* println(bytesToHex(agg.aggregateSignature))
  })
