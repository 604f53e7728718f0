import { existsSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { sha256 } from "@noble/hashes/sha2.js"
import { bytesToHex } from "@noble/hashes/utils.js"
import { Data, Deferred, Effect, FiberId, Layer, Redacted } from "effect"
import { proverAddress } from "../address.ts"
import { type Bls, BlsLive, BlsService } from "./bls.ts"
import type { BlsError, BlsNativeError } from "./errors.ts"
import { type BlsVerifyPool, makeBlsVerifyPool } from "./verify-pool.ts"
import { BlsVerifier, type BlsVerifierService, ProverSigner, type ProverSignerService, SignatureFailure } from "../services.ts"
import { VerifiedInputs } from "../verified-inputs.ts"

/**
 * Production `BlsVerifier` and `ProverSigner` over the native BLS48-581 binding (crates/ts/bls).
 * Every BLS failure (bad length, bytes that are not a point, identity / non-subgroup point) becomes a
 * `SignatureFailure` naming the operation and the binding's error tag; the consensus validators turn
 * both a failure and a `false` verdict into the same rejection (BadSignature,
 * InvalidCertificateSignature, …), so a forged or tampered signature is rejected whatever its bytes.
 */

const failure = (operation: string) => (e: BlsError) => new SignatureFailure({ operation, reason: `${e._tag}: ${e.reason}` })

/** Aggregate keys of recently seen signer sets: consecutive QCs usually repeat one, and each G2 decode costs ~2 ms. */
const AGGREGATE_KEY_CACHE_SIZE = 32

const signerSetKey = (publicKeys: ReadonlyArray<Uint8Array>): string => {
  const h = sha256.create()
  for (const pk of publicKeys) h.update(pk)
  return bytesToHex(h.digest())
}

/**
 * Signatures that verified, by their exact bytes. A pairing check costs ~50 ms, and the same
 * signature reaches a verifier on several paths: a proposal's vote and QC on delivery, sync answers,
 * re-broadcasts.
 */
const VERIFIED_SIGNATURES_CACHE_SIZE = 4_096
const SINGLE = 1
const MULTI_MESSAGE = 2

const count = (n: number): Uint8Array => {
  const b = new Uint8Array(4)
  new DataView(b.buffer).setUint32(0, n, false)
  return b
}

/**
 * The `BlsVerifierService` backed by `bls`. With a `pool`, signature checks run on its Worker threads
 * (aggregation stays here: it is cheap), and concurrent requests for the same inputs share one check.
 */
export const makeBlsVerifier = (bls: Bls, pool?: BlsVerifyPool): Effect.Effect<BlsVerifierService, SignatureFailure> =>
  Effect.sync(() => {
    const recentKeys = new Map<string, Uint8Array>()
    const verified = new VerifiedInputs(VERIFIED_SIGNATURES_CACHE_SIZE)
    const inFlight = new Map<string, Deferred.Deferred<boolean, SignatureFailure>>()

    /** `check` unless these exact inputs already verified (or are being verified); remembers a `true` verdict. */
    const once = (key: string, check: Effect.Effect<boolean, SignatureFailure>): Effect.Effect<boolean, SignatureFailure> =>
      Effect.suspend(() => {
        if (pool === undefined) return verified.verifyOnce(key, check)
        if (verified.has(key)) return Effect.succeed(true)
        const running = inFlight.get(key)
        if (running !== undefined) return Deferred.await(running)
        // The check runs in its own fiber, so one interrupted caller does not fail the others waiting.
        const done = Deferred.unsafeMake<boolean, SignatureFailure>(FiberId.none)
        inFlight.set(key, done)
        const run = verified.verifyOnce(key, check).pipe(
          Effect.exit,
          Effect.flatMap((exit) => Deferred.done(done, exit)),
          Effect.ensuring(Effect.sync(() => inFlight.delete(key))),
        )
        return Effect.zipRight(Effect.forkDaemon(run), Deferred.await(done))
      })

    const verifySignature = (publicKey: Uint8Array, signature: Uint8Array, message: Uint8Array, domain: Uint8Array) =>
      (pool === undefined ? bls.verify(publicKey, signature, domain, message) : pool.verify(publicKey, signature, domain, message)).pipe(
        Effect.mapError(failure("verify")),
      )
    const verifyMulti = (publicKeys: ReadonlyArray<Uint8Array>, messages: ReadonlyArray<Uint8Array>, signature: Uint8Array, domain: Uint8Array) =>
      (pool === undefined
        ? bls.verifyMultiMessage(publicKeys, signature, messages, domain)
        : pool.verifyMultiMessage(publicKeys, signature, messages, domain)
      ).pipe(Effect.mapError(failure("verifyMultiMessage")))

    const aggregatePublicKeys: BlsVerifierService["aggregatePublicKeys"] = (publicKeys) =>
      Effect.suspend(() => {
        const key = signerSetKey(publicKeys)
        const cached = recentKeys.get(key)
        if (cached !== undefined) return Effect.succeed(cached.slice())
        return bls.aggregatePublicKeys(publicKeys).pipe(
          Effect.map((aggregatePublicKey) => {
            if (recentKeys.size >= AGGREGATE_KEY_CACHE_SIZE) {
              const oldest = recentKeys.keys().next()
              if (oldest.done !== true) recentKeys.delete(oldest.value)
            }
            recentKeys.set(key, aggregatePublicKey.slice())
            return aggregatePublicKey
          }),
          Effect.mapError(failure("aggregatePublicKeys")),
        )
      })

    return {
      // Inputs are copied first: the check may run later (another fiber, a Worker), and the bytes it
      // checks must be the bytes the cache key names even if the caller reuses its buffers.
      verify: (publicKey, signature, message, domain) =>
        Effect.suspend(() => {
          const [pk, sig, msg, dom] = [publicKey.slice(), signature.slice(), message.slice(), domain.slice()]
          return once(VerifiedInputs.key(SINGLE, [pk, sig, msg, dom]), verifySignature(pk, sig, msg, dom))
        }),
      aggregatePublicKeys,
      aggregateSignatures: (signatures) => bls.aggregateSignatures(signatures).pipe(Effect.mapError(failure("aggregateSignatures"))),
      verifyMultiMessage: (publicKeys, messages, signature, domain) =>
        Effect.suspend(() => {
          const [pks, msgs] = [publicKeys.map((k) => k.slice()), messages.map((m) => m.slice())]
          const [sig, dom] = [signature.slice(), domain.slice()]
          return once(VerifiedInputs.key(MULTI_MESSAGE, [count(pks.length), sig, dom, ...pks, ...msgs]), verifyMulti(pks, msgs, sig, dom))
        }),
    }
  })

/** `BlsVerifier` over a provided `BlsService` (share one binding with other users). */
const BlsVerifierFromService: Layer.Layer<BlsVerifier, SignatureFailure, BlsService> = Layer.effect(BlsVerifier, Effect.flatMap(BlsService, makeBlsVerifier))

/**
 * `BlsVerifier` over a provided `BlsService` whose signature checks run on `workers` Worker threads
 * (scoped to the layer), so a node's event loop stays free during pairings and independent checks
 * run concurrently. Fails to build when the native library cannot be loaded.
 */
export const BlsVerifierOnWorkersFromService = (workers: number): Layer.Layer<BlsVerifier, SignatureFailure | BlsNativeError, BlsService> =>
  Layer.scoped(
    BlsVerifier,
    Effect.flatMap(Effect.zip(BlsService, makeBlsVerifyPool(workers)), ([bls, pool]) => makeBlsVerifier(bls, pool)),
  )

/** `BlsVerifier` over the native library; fails to build when the library cannot be loaded. */
export const BlsVerifierLive: Layer.Layer<BlsVerifier, SignatureFailure | BlsNativeError> = BlsVerifierFromService.pipe(Layer.provide(BlsLive))

/** A prover signer also knows its proof of possession (needed to join the prover set). */
export interface BlsProverSigner extends ProverSignerService {
  readonly proofOfPossession: Uint8Array
}

/**
 * The node's prover signer from its key material: BLS keygen(IKM) (HKDF-SHA512, crypto.md §3.4);
 * address = Poseidon(public key). The secret key stays in this closure.
 */
export const makeBlsProverSigner = (bls: Bls, ikm: Redacted.Redacted<Uint8Array>): Effect.Effect<BlsProverSigner, SignatureFailure> =>
  Effect.gen(function* () {
    const keys = yield* bls.keygen(Redacted.value(ikm)).pipe(Effect.mapError(failure("keygen")))
    const secretKey = keys.secretKey
    return {
      publicKey: keys.publicKey,
      address: proverAddress(keys.publicKey),
      proofOfPossession: keys.proofOfPossession,
      sign: (message, domain) => bls.sign(secretKey, domain, message).pipe(Effect.mapError(failure("sign"))),
    }
  })

/** The prover key file could not be read (missing, unreadable or not 32 bytes). */
export class ProverKeyUnavailable extends Data.TaggedError("ProverKeyUnavailable")<{ readonly path: string; readonly reason: string }> {}

/** `<dataDir>/keys/prover.key` (config/keys.ts writes it on first start: 32 random bytes of IKM). */
export const proverKeyPath = (dataDir: string): string => join(dataDir, "keys", "prover.key")
const PROVER_IKM_BYTES = 32

const readProverIkm = (dataDir: string): Effect.Effect<Redacted.Redacted<Uint8Array>, ProverKeyUnavailable> => {
  const path = proverKeyPath(dataDir)
  return Effect.try({
    try: () => {
      if (!existsSync(path)) throw new ProverKeyUnavailable({ path, reason: "missing (keys are created on the node's first start)" })
      const bytes = new Uint8Array(readFileSync(path))
      if (bytes.length !== PROVER_IKM_BYTES) throw new ProverKeyUnavailable({ path, reason: `expected ${PROVER_IKM_BYTES} bytes, found ${bytes.length}` })
      return Redacted.make(bytes)
    },
    catch: (e) => (e instanceof ProverKeyUnavailable ? e : new ProverKeyUnavailable({ path, reason: e instanceof Error ? e.message : String(e) })),
  })
}

/** `ProverSigner` from IKM the caller already holds (e.g. `NodeKeys.prover.ikm`). */
export const BlsProverSignerFromIkm = (ikm: Redacted.Redacted<Uint8Array>): Layer.Layer<ProverSigner, SignatureFailure, BlsService> =>
  Layer.effect(
    ProverSigner,
    Effect.flatMap(BlsService, (bls) => makeBlsProverSigner(bls, ikm)),
  )

/** `ProverSigner` from `<dataDir>/keys/prover.key`, over a provided `BlsService`. */
const BlsProverSignerFromDataDir = (dataDir: string): Layer.Layer<ProverSigner, SignatureFailure | ProverKeyUnavailable, BlsService> =>
  Layer.effect(
    ProverSigner,
    Effect.flatMap(Effect.zip(BlsService, readProverIkm(dataDir)), ([bls, ikm]) => makeBlsProverSigner(bls, ikm)),
  )

/** `ProverSigner` from `<dataDir>/keys/prover.key` over the native library. */
export const BlsProverSignerLive = (dataDir: string): Layer.Layer<ProverSigner, SignatureFailure | ProverKeyUnavailable | BlsNativeError> =>
  BlsProverSignerFromDataDir(dataDir).pipe(Layer.provide(BlsLive))
