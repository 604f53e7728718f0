// Noise crypto for Bun (platform-notes §5.2).
//
// `defaultCrypto` from @chainsafe/libp2p-noise hands ChaCha20-Poly1305 frames of 1200 bytes or
// more to `node:crypto`, and Bun's `node:crypto` has no "chacha20-poly1305" cipher
// (oven-sh/bun#8072): the first large frame aborts the connection with "Unknown cipher".
// We keep everything else from `defaultCrypto` (X25519 and SHA-256 through node:crypto, which Bun
// does have) and route every AEAD call, whatever its size, to the WebAssembly implementation
// (`asCrypto`) that the same package already uses for small frames.
import { asCrypto, defaultCrypto } from "@chainsafe/libp2p-noise/crypto"

type NoiseCrypto = typeof defaultCrypto

export const bunNoiseCrypto: NoiseCrypto = {
  ...defaultCrypto,
  chaCha20Poly1305Encrypt: (plaintext, nonce, ad, k) => asCrypto.chaCha20Poly1305Encrypt(plaintext, nonce, ad, k),
  chaCha20Poly1305Decrypt: (ciphertext, nonce, ad, k, dst) => asCrypto.chaCha20Poly1305Decrypt(ciphertext, nonce, ad, k, dst),
}
