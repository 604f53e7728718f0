// Ed448 (RFC 8032, empty context — what Go's circl and the reference use) via @noble/curves.
import { ed448 } from "@noble/curves/ed448.js"

const ED448_PUBLIC_KEY_BYTES = 57
const ED448_SIGNATURE_BYTES = 114

export const ed448PublicKey = (secretKey: Uint8Array): Uint8Array => ed448.getPublicKey(secretKey)

export const ed448Sign = (message: Uint8Array, secretKey: Uint8Array): Uint8Array => ed448.sign(message, secretKey)

/** False (never a throw) for malformed keys or signatures. */
export const ed448Verify = (signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean => {
  if (signature.length !== ED448_SIGNATURE_BYTES || publicKey.length !== ED448_PUBLIC_KEY_BYTES) return false
  try {
    return ed448.verify(signature, message, publicKey)
  } catch {
    return false
  }
}

export const ed448RandomSecretKey = (): Uint8Array => ed448.utils.randomSecretKey()
