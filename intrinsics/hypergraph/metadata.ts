// The metadata vertex of a hypergraph instance, `domain ‖ 0xff×32` (spec §1.8), in quilbun's entry
// form (entries.ts). Keys follow the reference's index layout (`index << 2`):
//   0x00 consensus metadata (an empty tree, the byte 0x00)   0x04 sumcheck info (same)
//   0x08 the RDF schema text — written AND read here (spec §11.3 #27)
//   0x40 the configuration (canonical 0x0401 bytes)          0x44 the owner key — persisted (§11.3 #26)
//   0xff×32 the intrinsic type = HYPERGRAPH_BASE_DOMAIN
import * as Either from "effect/Either"
import { bytesEqual, METADATA_ADDRESS, OpError } from "../contract/index.ts"
import { encodeConfig, type HypergraphConfig, readConfig } from "./config.ts"
import { HYPERGRAPH_CONFIGURATION } from "./constants.ts"
import { decodeEntries, type Entry, encodeEntries, entryValue } from "./entries.ts"
import { CanonicalReader } from "../contract/index.ts"

const KEY_CONSENSUS = Uint8Array.of(0x00)
const KEY_SUMCHECK = Uint8Array.of(0x04)
export const KEY_SCHEMA = Uint8Array.of(2 << 2)
const KEY_CONFIG = Uint8Array.of(16 << 2)
/** Index 17, the slot §11.3 #26 suggests: the reference config subtree (and so the address) is unchanged. */
export const KEY_OWNER = Uint8Array.of(17 << 2)
const KEY_TYPE: Uint8Array = METADATA_ADDRESS

/** An empty VCT serializes to the single byte 0x00 (spec §1.8). */
const EMPTY_TREE = Uint8Array.of(0x00)

export interface InstanceMetadata {
  readonly schema: string
  readonly config: HypergraphConfig
  /** The intrinsic type tag at `0xff×32`. */
  readonly typeTag: Uint8Array
}

export const encodeMetadata = (meta: InstanceMetadata): Uint8Array => {
  const entries: Array<Entry> = [
    { key: KEY_CONSENSUS, value: EMPTY_TREE },
    { key: KEY_SUMCHECK, value: EMPTY_TREE },
    { key: KEY_SCHEMA, value: new TextEncoder().encode(meta.schema) },
    { key: KEY_CONFIG, value: encodeConfig(meta.config) },
    { key: KEY_OWNER, value: meta.config.ownerPublicKey },
    { key: KEY_TYPE, value: meta.typeTag },
  ]
  return encodeEntries(entries)
}

const corrupt = (reason: string): OpError => new OpError({ kind: "state", opType: undefined, reason: `metadata vertex: ${reason}` })

/** Reads a stored metadata vertex; the owner key comes from its own persisted entry, not from the config. */
export const decodeMetadata = (bytes: Uint8Array): Either.Either<InstanceMetadata, OpError> =>
  Either.gen(function* () {
    const entries = yield* Either.mapLeft(decodeEntries(bytes), (e) => corrupt(e.reason))
    const schemaBytes = entryValue(entries, KEY_SCHEMA)
    const configBytes = entryValue(entries, KEY_CONFIG)
    const owner = entryValue(entries, KEY_OWNER)
    const typeTag = entryValue(entries, KEY_TYPE)
    if (schemaBytes === undefined || configBytes === undefined || owner === undefined || typeTag === undefined) {
      return yield* Either.left(corrupt("missing schema, config, owner or type entry"))
    }
    // The config is stored as nested canonical bytes; reuse the operation codec by re-wrapping it.
    const wrapped = new Uint8Array(4 + configBytes.length)
    new DataView(wrapped.buffer).setUint32(0, configBytes.length)
    wrapped.set(configBytes, 4)
    const config = yield* Either.mapLeft(readConfig(new CanonicalReader(wrapped), HYPERGRAPH_CONFIGURATION), (e) => corrupt(e.reason))
    const schema = new TextDecoder("utf-8", { fatal: false }).decode(schemaBytes)
    return { schema, config: { ...config, ownerPublicKey: owner }, typeTag }
  })

export const isHypergraphInstance = (meta: InstanceMetadata, baseDomain: Uint8Array): boolean => bytesEqual(meta.typeTag, baseDomain)
