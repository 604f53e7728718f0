// BLS48-581 signatures (reference "minimal signature" scheme): 73-byte secret keys, 585-byte G2
// public keys, 74-byte G1 signatures over domain ‖ msg. Every call is synchronous native work
// wrapped in an Effect with typed failures.
import { Context, Effect, Layer } from "effect"
import { BlsLengthError, BlsNativeError, type BlsError } from "./errors.ts"
import { concatBytes as concat, nullIfEmpty as buf, packLengthPrefixed as packItems } from "../native.ts"
import { G1_BYTES, G2_BYTES, loadNativeBls, SECRET_KEY_BYTES } from "./native.ts"
import { produced, verdict } from "./status.ts"

interface KeyPair {
  readonly secretKey: Uint8Array
  readonly publicKey: Uint8Array
  readonly proofOfPossession: Uint8Array
}

interface Aggregate {
  readonly aggregatePublicKey: Uint8Array
  readonly aggregateSignature: Uint8Array
}

export interface Bls {
  /** HKDF-SHA512 key generation from input keying material (the reference uses 64 random bytes). */
  readonly keygen: (ikm: Uint8Array) => Effect.Effect<KeyPair, BlsError>
  readonly publicKey: (secretKey: Uint8Array) => Effect.Effect<Uint8Array, BlsError>
  readonly sign: (secretKey: Uint8Array, domain: Uint8Array, msg: Uint8Array) => Effect.Effect<Uint8Array, BlsError>
  /** false for a well-formed signature that does not verify; fails for malformed points. */
  readonly verify: (publicKey: Uint8Array, signature: Uint8Array, domain: Uint8Array, msg: Uint8Array) => Effect.Effect<boolean, BlsError>
  readonly provePossession: (secretKey: Uint8Array) => Effect.Effect<Uint8Array, BlsError>
  readonly verifyPossession: (publicKey: Uint8Array, proof: Uint8Array) => Effect.Effect<boolean, BlsError>
  /** Point sums of public keys and signatures (equal counts, at least one). */
  readonly aggregate: (publicKeys: ReadonlyArray<Uint8Array>, signatures: ReadonlyArray<Uint8Array>) => Effect.Effect<Aggregate, BlsError>
  /** Sum of public keys alone (at least one; an identity sum is a BlsSubgroupError). */
  readonly aggregatePublicKeys: (publicKeys: ReadonlyArray<Uint8Array>) => Effect.Effect<Uint8Array, BlsError>
  /** Sum of signatures alone (at least one; an identity sum is a BlsSubgroupError). */
  readonly aggregateSignatures: (signatures: ReadonlyArray<Uint8Array>) => Effect.Effect<Uint8Array, BlsError>
  /** One aggregate signature over per-signer messages, all under `domain`. */
  readonly verifyMultiMessage: (
    publicKeys: ReadonlyArray<Uint8Array>,
    signature: Uint8Array,
    msgs: ReadonlyArray<Uint8Array>,
    domain: Uint8Array,
  ) => Effect.Effect<boolean, BlsError>
  /** Succeeds when the bytes are a G1 (74) / G2 (585) point in the prime-order subgroup. */
  readonly checkG1: (point: Uint8Array) => Effect.Effect<void, BlsError>
  readonly checkG2: (point: Uint8Array) => Effect.Effect<void, BlsError>
}

const fixedList = (items: ReadonlyArray<Uint8Array>, size: number, what: string): Effect.Effect<Uint8Array, BlsError> =>
  items.length > 0 && items.every((x) => x.length === size)
    ? Effect.succeed(concat(items))
    : Effect.fail(new BlsLengthError({ reason: `${what}: need a non-empty list of ${size}-byte items` }))

/** The native implementation, or a failure explaining why the library is unavailable. */
export const makeBls = (): Effect.Effect<Bls, BlsNativeError> => {
  const opened = loadNativeBls()
  if ("unavailable" in opened) return Effect.fail(new BlsNativeError({ reason: opened.unavailable }))
  const lib = opened.lib
  const impl: Bls = {
    keygen: (ikm) =>
      Effect.suspend(() => {
        const sk = new Uint8Array(SECRET_KEY_BYTES)
        const pk = new Uint8Array(G2_BYTES)
        const pop = new Uint8Array(G1_BYTES)
        const s = lib.quil_bls_keygen(buf(ikm), ikm.length, sk, sk.length, pk, pk.length, pop, pop.length)
        return produced(s, "keygen", () => ({ secretKey: sk, publicKey: pk, proofOfPossession: pop }))
      }),
    publicKey: (sk) =>
      Effect.suspend(() => {
        const out = new Uint8Array(G2_BYTES)
        return produced(lib.quil_bls_public_key(buf(sk), sk.length, out, out.length), "publicKey", () => out)
      }),
    sign: (sk, domain, msg) =>
      Effect.suspend(() => {
        const out = new Uint8Array(G1_BYTES)
        const s = lib.quil_bls_sign(buf(sk), sk.length, buf(domain), domain.length, buf(msg), msg.length, out, out.length)
        return produced(s, "sign", () => out)
      }),
    verify: (pk, sig, domain, msg) =>
      Effect.suspend(() => verdict(lib.quil_bls_verify(buf(pk), pk.length, buf(sig), sig.length, buf(domain), domain.length, buf(msg), msg.length), "verify")),
    provePossession: (sk) =>
      Effect.suspend(() => {
        const out = new Uint8Array(G1_BYTES)
        return produced(lib.quil_bls_prove_possession(buf(sk), sk.length, out, out.length), "provePossession", () => out)
      }),
    verifyPossession: (pk, pop) => Effect.suspend(() => verdict(lib.quil_bls_verify_possession(buf(pk), pk.length, buf(pop), pop.length), "verifyPossession")),
    aggregate: (pks, sigs) =>
      Effect.gen(function* () {
        if (pks.length !== sigs.length) {
          return yield* Effect.fail(new BlsLengthError({ reason: `aggregate: ${pks.length} keys but ${sigs.length} signatures` }))
        }
        const pkBytes = yield* fixedList(pks, G2_BYTES, "aggregate public keys")
        const sigBytes = yield* fixedList(sigs, G1_BYTES, "aggregate signatures")
        const apk = new Uint8Array(G2_BYTES)
        const asig = new Uint8Array(G1_BYTES)
        const s = lib.quil_bls_aggregate(pkBytes, pkBytes.length, sigBytes, sigBytes.length, apk, apk.length, asig, asig.length)
        return yield* produced(s, "aggregate", () => ({ aggregatePublicKey: apk, aggregateSignature: asig }))
      }),
    aggregatePublicKeys: (pks) =>
      Effect.gen(function* () {
        const pkBytes = yield* fixedList(pks, G2_BYTES, "aggregate public keys")
        const apk = new Uint8Array(G2_BYTES)
        return yield* produced(lib.quil_bls_aggregate_public_keys(pkBytes, pkBytes.length, apk, apk.length), "aggregatePublicKeys", () => apk)
      }),
    aggregateSignatures: (sigs) =>
      Effect.gen(function* () {
        const sigBytes = yield* fixedList(sigs, G1_BYTES, "aggregate signatures")
        const asig = new Uint8Array(G1_BYTES)
        return yield* produced(lib.quil_bls_aggregate_signatures(sigBytes, sigBytes.length, asig, asig.length), "aggregateSignatures", () => asig)
      }),
    verifyMultiMessage: (pks, sig, msgs, domain) =>
      Effect.gen(function* () {
        if (pks.length !== msgs.length) {
          return yield* Effect.fail(new BlsLengthError({ reason: `verifyMultiMessage: ${pks.length} keys but ${msgs.length} messages` }))
        }
        const pkBytes = yield* fixedList(pks, G2_BYTES, "verifyMultiMessage public keys")
        const packed = packItems(msgs)
        const s = lib.quil_bls_verify_multi_message(pkBytes, pkBytes.length, buf(sig), sig.length, buf(packed), packed.length, buf(domain), domain.length)
        return yield* verdict(s, "verifyMultiMessage")
      }),
    checkG1: (point) => Effect.suspend(() => produced(lib.quil_bls_g1_check(buf(point), point.length), "checkG1", () => undefined)),
    checkG2: (point) => Effect.suspend(() => produced(lib.quil_bls_g2_check(buf(point), point.length), "checkG2", () => undefined)),
  }
  return Effect.succeed(impl)
}

export class BlsService extends Context.Tag("quilbun/Bls")<BlsService, Bls>() {}

/** The native BLS service; building it fails when the library cannot be loaded. */
export const BlsLive: Layer.Layer<BlsService, BlsNativeError> = Layer.effect(BlsService, makeBls())
