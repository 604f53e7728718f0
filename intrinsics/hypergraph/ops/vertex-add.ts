// Plaintext VertexAdd (0x0480, quilbun's own prefix per spec §11.4 item 9): writes a vertex whose
// data is a canonical entry list, signed by the instance's write key. Vertices are mutable (spec
// §3.2): an add over a live vertex replaces its data; an add over a removed one is refused forever.
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import { atomId, canonicalWriter, DOMAIN_LENGTH, decodeCanonical, defineOperation, type TypedOperation, vertex } from "../../contract/index.ts"
import { notMetadataAddress, paysFee, readInstance, stateError, targetsRoutedDomain, verifyWriteSignature, invalid, metadataId } from "../checks.ts"
import {
  COST_CHUNK,
  ED448_SIGNATURE_BYTES,
  HYPERGRAPH_BASE_DOMAIN,
  MAX_VERTEX_DATA_BYTES,
  SIG_VERTEX_ADD_PLAINTEXT,
  VERTEX_ADD_PLAINTEXT,
} from "../constants.ts"
import { type Entries, encodeEntries, payloadBytes, readEntries, writeEntries } from "../entries.ts"
import { concatBytes } from "@noble/hashes/utils.js"

export interface VertexAdd {
  readonly domain: Uint8Array
  readonly dataAddress: Uint8Array
  readonly entries: Entries
  readonly signature: Uint8Array
}

/** What the write key signs (after `domain ‖ "VERTEX_ADD_PLAINTEXT"`): `domain ‖ dataAddress ‖ entries`. */
export const vertexAddMessage = (op: Omit<VertexAdd, "signature">): Uint8Array => concatBytes(op.domain, op.dataAddress, encodeEntries(op.entries))

/** `ceil(bytes / 55) · 55`, at least one chunk: the reference's per-chunk charge on the plaintext bytes. */
const vertexAddCost = (entries: Entries): bigint => BigInt(Math.max(1, Math.ceil(payloadBytes(entries) / COST_CHUNK)) * COST_CHUNK)

export const vertexAdd: TypedOperation<VertexAdd> = defineOperation<VertexAdd>({
  opType: VERTEX_ADD_PLAINTEXT,
  name: "vertex-add",
  encode: (op) => writeEntries(canonicalWriter(VERTEX_ADD_PLAINTEXT).fixed(op.domain).fixed(op.dataAddress), op.entries).bytes(op.signature).finish(),
  decode: (bytes) =>
    decodeCanonical(VERTEX_ADD_PLAINTEXT, bytes, (r) =>
      Either.gen(function* () {
        const domain = yield* r.fixed("domain", DOMAIN_LENGTH)
        const dataAddress = yield* r.fixed("data address", DOMAIN_LENGTH)
        const entries = yield* readEntries(r, VERTEX_ADD_PLAINTEXT, "entries")
        const signature = yield* r.bytes("signature", ED448_SIGNATURE_BYTES)
        return { domain, dataAddress, entries, signature }
      }),
    ),
  target: (op) => op.domain,
  accessSet: (op) => ({ reads: [metadataId(op.domain)], writes: [atomId(op.domain, op.dataAddress)] }),
  validate: (op, view, ctx) =>
    Effect.gen(function* () {
      yield* targetsRoutedDomain(VERTEX_ADD_PLAINTEXT, op.domain, ctx)
      yield* notMetadataAddress(VERTEX_ADD_PLAINTEXT, op.dataAddress)
      if (op.entries.length === 0) return yield* Effect.fail(invalid(VERTEX_ADD_PLAINTEXT, "a vertex needs at least one entry"))
      const size = payloadBytes(op.entries)
      if (size > MAX_VERTEX_DATA_BYTES) return yield* Effect.fail(invalid(VERTEX_ADD_PLAINTEXT, `${size} data bytes exceed ${MAX_VERTEX_DATA_BYTES}`))
      const meta = yield* readInstance(VERTEX_ADD_PLAINTEXT, op.domain, view, HYPERGRAPH_BASE_DOMAIN)
      yield* verifyWriteSignature(VERTEX_ADD_PLAINTEXT, meta, op.domain, SIG_VERTEX_ADD_PLAINTEXT, vertexAddMessage(op), op.signature, ctx)
      if (view.get(vertex(atomId(op.domain, op.dataAddress)))._tag === "Removed") {
        return yield* Effect.fail(stateError(VERTEX_ADD_PLAINTEXT, "the vertex was removed; a removed vertex stays removed"))
      }
      yield* paysFee(VERTEX_ADD_PLAINTEXT, vertexAddCost(op.entries), ctx)
    }),
  apply: (op, view) =>
    Effect.gen(function* () {
      const id = atomId(op.domain, op.dataAddress)
      yield* view.put(vertex(id), encodeEntries(op.entries), "upsert")
      return [{ kind: "vertex-added", id }]
    }),
  cost: (op) => vertexAddCost(op.entries),
})
