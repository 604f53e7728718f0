// The node's libp2p identity: an Ed25519 key from the bytes of `keys/peer.key`.
// (The reference uses Ed448 identities — node.md §4.1, §9.8 — which js-libp2p cannot express
// without project code for the key type and Noise; quilbun starts on Ed25519.)
import { generateKeyPairFromSeed } from "@libp2p/crypto/keys"
import type { Ed25519PrivateKey } from "@libp2p/interface"
import { Effect } from "effect"
import { CachedEd25519PrivateKey } from "./ed25519-signing-key.ts"
import { describeError, InvalidPeerKey } from "./errors.ts"

const SEED_BYTES = 32

/**
 * Accepts a 32-byte Ed25519 seed, or the 64-byte `seed ‖ public key` form (libp2p's raw private
 * key); the public half of the latter must match the seed. Signing goes through a cached node:crypto
 * key object (ed25519-signing-key.ts).
 */
export const peerKeyFromBytes = (bytes: Uint8Array): Effect.Effect<Ed25519PrivateKey, InvalidPeerKey> =>
  Effect.gen(function* () {
    if (bytes.length !== SEED_BYTES && bytes.length !== 2 * SEED_BYTES) {
      return yield* new InvalidPeerKey({ reason: `expected 32 or 64 bytes, got ${bytes.length}` })
    }
    const seed = bytes.slice(0, SEED_BYTES)
    const key = yield* Effect.tryPromise({
      try: () => generateKeyPairFromSeed("Ed25519", seed),
      catch: (error) => new InvalidPeerKey({ reason: describeError(error) }),
    })
    if (bytes.length === 2 * SEED_BYTES) {
      const given = bytes.subarray(SEED_BYTES)
      if (!key.publicKey.raw.every((b, i) => b === given[i])) {
        return yield* new InvalidPeerKey({ reason: "the public half does not match the seed" })
      }
    }
    return new CachedEd25519PrivateKey(key)
  })
