import { shake256 } from "@noble/hashes/sha3.js"
import { Effect, Layer } from "effect"
import { concatBytes } from "../../actors/consensus/core/canonical/writer.ts"
import { BLS_PUBLIC_KEY_BYTES, BLS_SIGNATURE_BYTES } from "../../actors/consensus/core/messages/signatures.ts"
import type { PoseidonHash } from "../../crates/ts/services.ts"
import { BlsVerifier, type BlsVerifierService, type ProverSignerService } from "../../crates/ts/services.ts"

/**
 * INSECURE stand-in for BLS48-581 until the native scheme lands. It has BLS's shape — 585-byte public
 * keys, 74-byte signatures, aggregation that is order-independent and verifies against the aggregate
 * key — but it is linear over a prime field with no secret: anyone who knows a public key can sign for
 * it. Use only in tests and throwaway devnets; never wire it into a node that talks to real peers.
 *
 * pk = H(seed) mod p, sig(pk, m) = pk·H(domain ‖ m) mod p, with p = 2^521 − 1. Then Σ sig_i over one
 * message equals (Σ pk_i)·H(m), and a multi-message aggregate equals Σ pk_i·H(m_i).
 */
const P = (1n << 521n) - 1n

const toBigInt = (bytes: Uint8Array): bigint => {
  let v = 0n
  for (const b of bytes) v = (v << 8n) | BigInt(b)
  return v
}

const toFixedBytes = (value: bigint, length: number): Uint8Array => {
  const out = new Uint8Array(length)
  let v = value
  for (let i = length - 1; i >= 0 && v > 0n; i--) {
    out[i] = Number(v & 0xffn)
    v >>= 8n
  }
  return out
}

const hashToField = (label: string, ...parts: ReadonlyArray<Uint8Array>): bigint =>
  toBigInt(shake256(concatBytes(new TextEncoder().encode(label), ...parts), { dkLen: 80 })) % P

const messagePoint = (message: Uint8Array, domain: Uint8Array): bigint => {
  const domainLength = new Uint8Array(4)
  new DataView(domainLength.buffer).setUint32(0, domain.length, false)
  return hashToField("insecure-test-bls/msg", domainLength, domain, message)
}

const publicKeyValue = (publicKey: Uint8Array): bigint => toBigInt(publicKey) % P

export const insecureTestPublicKey = (seed: Uint8Array): Uint8Array => toFixedBytes(hashToField("insecure-test-bls/pk", seed), BLS_PUBLIC_KEY_BYTES)

export const insecureTestSign = (publicKey: Uint8Array, message: Uint8Array, domain: Uint8Array): Uint8Array =>
  toFixedBytes((publicKeyValue(publicKey) * messagePoint(message, domain)) % P, BLS_SIGNATURE_BYTES)

/** A signer whose key is derived from `seed`; its address is poseidon(public key) as for real keys. */
export const makeInsecureTestSigner = (seed: Uint8Array, poseidon: PoseidonHash): ProverSignerService => {
  const publicKey = insecureTestPublicKey(seed)
  return {
    publicKey,
    address: poseidon(publicKey),
    sign: (message, domain) => Effect.succeed(insecureTestSign(publicKey, message, domain)),
  }
}

const sumMod = (values: ReadonlyArray<Uint8Array>): bigint => values.reduce((acc, v) => (acc + (toBigInt(v) % P)) % P, 0n)

export const insecureTestBlsVerifier: BlsVerifierService = {
  verify: (publicKey, signature, message, domain) =>
    Effect.succeed(
      publicKey.length === BLS_PUBLIC_KEY_BYTES &&
        signature.length === BLS_SIGNATURE_BYTES &&
        toBigInt(signature) === (publicKeyValue(publicKey) * messagePoint(message, domain)) % P,
    ),
  aggregatePublicKeys: (keys) => Effect.succeed(toFixedBytes(sumMod(keys), BLS_PUBLIC_KEY_BYTES)),
  aggregateSignatures: (signatures) => Effect.succeed(toFixedBytes(sumMod(signatures), BLS_SIGNATURE_BYTES)),
  verifyMultiMessage: (keys, messages, signature, domain) =>
    Effect.sync(() => {
      if (keys.length !== messages.length || signature.length !== BLS_SIGNATURE_BYTES) return false
      let expected = 0n
      keys.forEach((key, i) => {
        const message = messages[i] ?? new Uint8Array()
        expected = (expected + publicKeyValue(key) * messagePoint(message, domain)) % P
      })
      return toBigInt(signature) === expected
    }),
}

export const InsecureTestBlsVerifierLive = Layer.succeed(BlsVerifier, insecureTestBlsVerifier)
