// HypergraphConfiguration (spec §3.8, prefix 0x0401): the read and write Ed448 keys and the
// optional BLS48-581 owner key; its commitment and the instance address it derives (spec §1.8).
import * as Either from "effect/Either"
import { CanonicalReader, type CanonicalWriter, canonicalWriter, type CryptoServices, malformed, OpError } from "../contract/index.ts"
import { BLS_PUBLIC_KEY_BYTES, ED448_PUBLIC_KEY_BYTES, HYPERGRAPH_ADDRESS_PREFIX, HYPERGRAPH_CONFIGURATION } from "./constants.ts"
import { concatBytes } from "@noble/hashes/utils.js"
import { instanceAddress } from "./markers.ts"

export interface HypergraphConfig {
  readonly readPublicKey: Uint8Array
  readonly writePublicKey: Uint8Array
  /** Empty or a 585-byte BLS48-581 key; updates verify against it. */
  readonly ownerPublicKey: Uint8Array
}

export const encodeConfig = (config: HypergraphConfig): Uint8Array =>
  canonicalWriter(HYPERGRAPH_CONFIGURATION).bytes(config.readPublicKey).bytes(config.writePublicKey).bytes(config.ownerPublicKey).finish()

/** Nested: `u32 len ‖ config canonical bytes`. */
export const writeConfig = (w: CanonicalWriter, config: HypergraphConfig): CanonicalWriter => w.bytes(encodeConfig(config))

/** Reads a nested config; `opType` labels errors with the enclosing operation. Key sizes are structural, checked here. */
export const readConfig = (r: CanonicalReader, opType: number): Either.Either<HypergraphConfig, OpError> =>
  Either.flatMap(r.bytes("config", 4 + 3 * 4 + 2 * ED448_PUBLIC_KEY_BYTES + BLS_PUBLIC_KEY_BYTES), (bytes) => {
    const inner = new CanonicalReader(bytes, opType)
    return Either.gen(function* () {
      const prefix = yield* inner.u32("config type prefix")
      if (prefix !== HYPERGRAPH_CONFIGURATION) return yield* Either.left(malformed(opType, `config prefix 0x${prefix.toString(16)} is not 0x0401`))
      const readPublicKey = yield* inner.bytes("read public key", ED448_PUBLIC_KEY_BYTES)
      const writePublicKey = yield* inner.bytes("write public key", ED448_PUBLIC_KEY_BYTES)
      const ownerPublicKey = yield* inner.bytes("owner public key", BLS_PUBLIC_KEY_BYTES)
      yield* inner.end()
      if (readPublicKey.length !== ED448_PUBLIC_KEY_BYTES || writePublicKey.length !== ED448_PUBLIC_KEY_BYTES) {
        return yield* Either.left(malformed(opType, `read and write keys are Ed448 (${ED448_PUBLIC_KEY_BYTES} bytes)`))
      }
      if (ownerPublicKey.length !== 0 && ownerPublicKey.length !== BLS_PUBLIC_KEY_BYTES) {
        return yield* Either.left(malformed(opType, `the owner key is empty or BLS48-581 (${BLS_PUBLIC_KEY_BYTES} bytes)`))
      }
      return { readPublicKey, writePublicKey, ownerPublicKey }
    })
  })

/** Cost basis of a deploy or update: the schema plus every key (spec §3.8, §6.1). */
export const configCostBytes = (config: HypergraphConfig | undefined): number =>
  config === undefined ? 0 : config.readPublicKey.length + config.writePublicKey.length + config.ownerPublicKey.length

const POLY_SIZE = 64
const SLOT_BYTES = 64

/**
 * `configTree.Commit()` (spec §3.4, §3.8): the config subtree holds exactly `0x00` → read key and
 * `0x04` → write key. Their first nibbles (0 and 1) differ, so the root is a branch with an empty
 * prefix whose slots 0 and 1 are the leaf commitments `SHA-512(0x00 ‖ key ‖ value)` and every
 * other slot 64 zero bytes; the root commitment is KZG `CommitRaw` of those 64 slots (74 bytes).
 */
const configCommitment = (config: HypergraphConfig, crypto: CryptoServices): Either.Either<Uint8Array, OpError> => {
  const kzgCommit = crypto.kzgCommit
  if (kzgCommit === undefined) {
    return Either.left(new OpError({ kind: "invalid", opType: undefined, reason: "the host binds no KZG commitment; hypergraph instance addresses need it" }))
  }
  const slots = new Uint8Array(POLY_SIZE * SLOT_BYTES)
  slots.set(crypto.sha512(concatBytes(Uint8Array.of(0x00, 0x00), config.readPublicKey)), 0)
  slots.set(crypto.sha512(concatBytes(Uint8Array.of(0x00, 0x04), config.writePublicKey)), SLOT_BYTES)
  try {
    return Either.right(kzgCommit(slots, POLY_SIZE))
  } catch (e) {
    return Either.left(new OpError({ kind: "invalid", opType: undefined, reason: `KZG commitment failed: ${e instanceof Error ? e.message : String(e)}` }))
  }
}

/** `poseidon("q_hypergraph" ‖ configTree.Commit())`. */
export const hypergraphInstanceAddress = (config: HypergraphConfig, crypto: CryptoServices): Either.Either<Uint8Array, OpError> =>
  Either.map(configCommitment(config, crypto), (commitment) => instanceAddress(crypto.poseidon, HYPERGRAPH_ADDRESS_PREFIX, commitment))
