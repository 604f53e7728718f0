// HyperedgeAdd (0x0406, spec §3.8): writes a hyperedge `domain ‖ address` over ≥ 1 member atoms.
// A removed hyperedge stays removed (the reference's add is a no-op there; quilbun refuses it so the
// sender learns). Re-adding a live one replaces its members, as the reference's add overwrites.
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import {
  bytesEqual,
  CanonicalReader,
  canonicalWriter,
  DOMAIN_LENGTH,
  decodeCanonical,
  defineOperation,
  domainOf,
  hyperedge,
  type TypedOperation,
} from "../../contract/index.ts"
import { invalid, metadataId, notMetadataAddress, paysFee, readInstance, stateError, targetsRoutedDomain, verifyWriteSignature } from "../checks.ts"
import { ED448_SIGNATURE_BYTES, HYPERGRAPH_BASE_DOMAIN, HYPEREDGE_ADD, SIG_HYPEREDGE_ADD } from "../constants.ts"
import { encodeHyperedge, type HyperedgeValue, readHyperedge } from "../hyperedge.ts"
import { concatBytes } from "@noble/hashes/utils.js"

export interface HyperedgeAdd {
  readonly domain: Uint8Array
  readonly value: HyperedgeValue
  readonly signature: Uint8Array
}

/** Signed after `domain ‖ "HYPEREDGE_ADD"`: `hyperedgeId ‖ value` (the value stands in for the extrinsic commitment, DECISIONS.md). */
export const hyperedgeAddMessage = (op: Omit<HyperedgeAdd, "signature">): Uint8Array => concatBytes(op.value.id, encodeHyperedge(op.value))

export const hyperedgeAdd: TypedOperation<HyperedgeAdd> = defineOperation<HyperedgeAdd>({
  opType: HYPEREDGE_ADD,
  name: "hyperedge-add",
  encode: (op) => canonicalWriter(HYPEREDGE_ADD).fixed(op.domain).bytes(encodeHyperedge(op.value)).bytes(op.signature).finish(),
  decode: (bytes) =>
    decodeCanonical(HYPEREDGE_ADD, bytes, (r) =>
      Either.gen(function* () {
        const domain = yield* r.fixed("domain", DOMAIN_LENGTH)
        const valueBytes = yield* r.bytes("value")
        const signature = yield* r.bytes("signature", ED448_SIGNATURE_BYTES)
        const inner = new CanonicalReader(valueBytes, HYPEREDGE_ADD)
        const value = yield* readHyperedge(inner, HYPEREDGE_ADD)
        yield* inner.end()
        return { domain, value, signature }
      }),
    ),
  target: (op) => op.domain,
  accessSet: (op) => ({ reads: [metadataId(op.domain)], writes: [op.value.id] }),
  validate: (op, view, ctx) =>
    Effect.gen(function* () {
      yield* targetsRoutedDomain(HYPEREDGE_ADD, op.domain, ctx)
      if (!bytesEqual(domainOf(op.value.id), op.domain)) return yield* Effect.fail(invalid(HYPEREDGE_ADD, "the hyperedge id is not in the operation's domain"))
      yield* notMetadataAddress(HYPEREDGE_ADD, op.value.id.slice(DOMAIN_LENGTH))
      if (op.value.members.length === 0) return yield* Effect.fail(invalid(HYPEREDGE_ADD, "a hyperedge needs at least one member"))
      const meta = yield* readInstance(HYPEREDGE_ADD, op.domain, view, HYPERGRAPH_BASE_DOMAIN)
      yield* verifyWriteSignature(HYPEREDGE_ADD, meta, op.domain, SIG_HYPEREDGE_ADD, hyperedgeAddMessage(op), op.signature, ctx)
      if (view.get(hyperedge(op.value.id))._tag === "Removed") {
        return yield* Effect.fail(stateError(HYPEREDGE_ADD, "the hyperedge was removed; a removed hyperedge stays removed"))
      }
      yield* paysFee(HYPEREDGE_ADD, BigInt(op.value.members.length), ctx)
    }),
  apply: (op, view) =>
    Effect.gen(function* () {
      yield* view.put(hyperedge(op.value.id), encodeHyperedge(op.value), "upsert")
      return [{ kind: "hyperedge-added", id: op.value.id }]
    }),
  cost: (op) => BigInt(op.value.members.length),
})
