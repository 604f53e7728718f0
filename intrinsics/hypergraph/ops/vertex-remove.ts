// VertexRemove (0x0405, spec §3.8): tombstones a live vertex; remove wins permanently (§3.2).
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import { atomId, canonicalWriter, DOMAIN_LENGTH, decodeCanonical, defineOperation, type TypedOperation, vertex } from "../../contract/index.ts"
import { metadataId, notMetadataAddress, paysFee, readInstance, stateError, targetsRoutedDomain, verifyWriteSignature } from "../checks.ts"
import { ED448_SIGNATURE_BYTES, HYPERGRAPH_BASE_DOMAIN, REMOVE_COST, SIG_VERTEX_REMOVE, VERTEX_REMOVE } from "../constants.ts"
import { concatBytes } from "@noble/hashes/utils.js"

export interface VertexRemove {
  readonly domain: Uint8Array
  readonly dataAddress: Uint8Array
  readonly signature: Uint8Array
}

/** Signed after `domain ‖ "VERTEX_REMOVE"`: `domain ‖ dataAddress`. */
export const vertexRemoveMessage = (op: Omit<VertexRemove, "signature">): Uint8Array => concatBytes(op.domain, op.dataAddress)

export const vertexRemove: TypedOperation<VertexRemove> = defineOperation<VertexRemove>({
  opType: VERTEX_REMOVE,
  name: "vertex-remove",
  encode: (op) => canonicalWriter(VERTEX_REMOVE).fixed(op.domain).fixed(op.dataAddress).bytes(op.signature).finish(),
  decode: (bytes) =>
    decodeCanonical(VERTEX_REMOVE, bytes, (r) =>
      Either.gen(function* () {
        const domain = yield* r.fixed("domain", DOMAIN_LENGTH)
        const dataAddress = yield* r.fixed("data address", DOMAIN_LENGTH)
        const signature = yield* r.bytes("signature", ED448_SIGNATURE_BYTES)
        return { domain, dataAddress, signature }
      }),
    ),
  target: (op) => op.domain,
  accessSet: (op) => ({ reads: [metadataId(op.domain)], writes: [atomId(op.domain, op.dataAddress)] }),
  validate: (op, view, ctx) =>
    Effect.gen(function* () {
      yield* targetsRoutedDomain(VERTEX_REMOVE, op.domain, ctx)
      yield* notMetadataAddress(VERTEX_REMOVE, op.dataAddress)
      const meta = yield* readInstance(VERTEX_REMOVE, op.domain, view, HYPERGRAPH_BASE_DOMAIN)
      yield* verifyWriteSignature(VERTEX_REMOVE, meta, op.domain, SIG_VERTEX_REMOVE, vertexRemoveMessage(op), op.signature, ctx)
      const found = view.get(vertex(atomId(op.domain, op.dataAddress)))._tag
      if (found !== "Present") return yield* Effect.fail(stateError(VERTEX_REMOVE, `the vertex is ${found.toLowerCase()}`))
      yield* paysFee(VERTEX_REMOVE, REMOVE_COST, ctx)
    }),
  apply: (op, view) =>
    Effect.gen(function* () {
      const id = atomId(op.domain, op.dataAddress)
      yield* view.remove(vertex(id))
      return [{ kind: "vertex-removed", id }]
    }),
  cost: () => REMOVE_COST,
})
