// Spend authorization of a transparent input (spec §11.4 item 6): a Schnorr signature over Decaf448
// by the one-time secret x = k + s of the input's VK = x·G, over the operation's challenge, with VK and
// the input commitment carried explicitly. Layout `e(56) ‖ s(56) ‖ VK(56) ‖ C(56)` = 224 bytes, told
// apart from the reference's 336-byte SignHidden and 259-byte legacy forms by its length. The nonce is
// derived from the secret and the message (no randomness: builders stay deterministic, like RFC 8032).
import { concatBytes } from "@noble/hashes/utils.js"
import { POINT_BYTES, SCALAR_BYTES, SIGNATURE_BYTES } from "./constants.ts"
import { decodePoint, hashToScalar, mod, mulBase, mulPublic, scalarFromBytes, scalarToBytes } from "./decaf.ts"

const NONCE_TAG = new TextEncoder().encode("quilbun-token-schnorr-nonce")

/** `e = HashToScalar(R ‖ VK ‖ message)`. */
const challengeScalar = (R: Uint8Array, vk: Uint8Array, message: Uint8Array): bigint => hashToScalar(concatBytes(R, vk, message))

export const signSpend = (secret: bigint, commitment: Uint8Array, message: Uint8Array): Uint8Array => {
  const x = mod(secret)
  const vk = mulBase(x).toBytes()
  const r = hashToScalar(concatBytes(NONCE_TAG, scalarToBytes(x), vk, commitment, message))
  const R = mulBase(r).toBytes()
  const e = challengeScalar(R, vk, message)
  const s = mod(r + e * x)
  return concatBytes(scalarToBytes(e), scalarToBytes(s), vk, commitment)
}

export interface SpendSignature {
  readonly verificationKey: Uint8Array
  readonly commitment: Uint8Array
}

/** The VK and commitment a 224-byte signature names (not yet verified). */
export const signatureParts = (sig: Uint8Array): SpendSignature | undefined =>
  sig.length !== SIGNATURE_BYTES
    ? undefined
    : { verificationKey: sig.slice(2 * SCALAR_BYTES, 2 * SCALAR_BYTES + POINT_BYTES), commitment: sig.slice(2 * SCALAR_BYTES + POINT_BYTES) }

/** `R' = s·G − e·VK`, then `e == HashToScalar(R' ‖ VK ‖ message)`; false for any malformed part. */
export const verifySpend = (sig: Uint8Array, message: Uint8Array): boolean => {
  const parts = signatureParts(sig)
  if (parts === undefined) return false
  const e = scalarFromBytes(sig.slice(0, SCALAR_BYTES))
  const s = scalarFromBytes(sig.slice(SCALAR_BYTES, 2 * SCALAR_BYTES))
  const VK = decodePoint(parts.verificationKey)
  if (e === undefined || s === undefined || VK === undefined || VK.is0()) return false
  const R = mulBase(s).subtract(mulPublic(VK, e)).toBytes()
  return challengeScalar(R, parts.verificationKey, message) === e
}
