// HyperedgeRemove (0x0407, spec §3.8): tombstones a live hyperedge; remove wins permanently (§3.2).
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import {
  bytesEqual,
  canonicalWriter,
  DOMAIN_LENGTH,
  decodeCanonical,
  defineOperation,
  domainOf,
  hyperedge,
  ID_LENGTH,
  type TypedOperation,
} from "../../contract/index.ts"
import { invalid, metadataId, paysFee, readInstance, stateError, targetsRoutedDomain, verifyWriteSignature } from "../checks.ts"
import { ED448_SIGNATURE_BYTES, HYPERGRAPH_BASE_DOMAIN, HYPEREDGE_REMOVE, REMOVE_COST, SIG_HYPEREDGE_REMOVE } from "../constants.ts"

export interface HyperedgeRemove {
  readonly domain: Uint8Array
  /** `domain ‖ address`, 64 bytes. */
  readonly hyperedgeId: Uint8Array
  readonly signature: Uint8Array
}

/** Signed after `domain ‖ "HYPEREDGE_REMOVE"`: the hyperedge id. */
export const hyperedgeRemoveMessage = (op: Omit<HyperedgeRemove, "signature">): Uint8Array => op.hyperedgeId.slice()

export const hyperedgeRemove: TypedOperation<HyperedgeRemove> = defineOperation<HyperedgeRemove>({
  opType: HYPEREDGE_REMOVE,
  name: "hyperedge-remove",
  encode: (op) => canonicalWriter(HYPEREDGE_REMOVE).fixed(op.domain).fixed(op.hyperedgeId).bytes(op.signature).finish(),
  decode: (bytes) =>
    decodeCanonical(HYPEREDGE_REMOVE, bytes, (r) =>
      Either.gen(function* () {
        const domain = yield* r.fixed("domain", DOMAIN_LENGTH)
        const hyperedgeId = yield* r.fixed("hyperedge id", ID_LENGTH)
        const signature = yield* r.bytes("signature", ED448_SIGNATURE_BYTES)
        return { domain, hyperedgeId, signature }
      }),
    ),
  target: (op) => op.domain,
  accessSet: (op) => ({ reads: [metadataId(op.domain)], writes: [op.hyperedgeId] }),
  validate: (op, view, ctx) =>
    Effect.gen(function* () {
      yield* targetsRoutedDomain(HYPEREDGE_REMOVE, op.domain, ctx)
      if (!bytesEqual(domainOf(op.hyperedgeId), op.domain))
        return yield* Effect.fail(invalid(HYPEREDGE_REMOVE, "the hyperedge id is not in the operation's domain"))
      const meta = yield* readInstance(HYPEREDGE_REMOVE, op.domain, view, HYPERGRAPH_BASE_DOMAIN)
      yield* verifyWriteSignature(HYPEREDGE_REMOVE, meta, op.domain, SIG_HYPEREDGE_REMOVE, hyperedgeRemoveMessage(op), op.signature, ctx)
      const found = view.get(hyperedge(op.hyperedgeId))._tag
      if (found !== "Present") return yield* Effect.fail(stateError(HYPEREDGE_REMOVE, `the hyperedge is ${found.toLowerCase()}`))
      yield* paysFee(HYPEREDGE_REMOVE, REMOVE_COST, ctx)
    }),
  apply: (op, view) =>
    Effect.gen(function* () {
      yield* view.remove(hyperedge(op.hyperedgeId))
      return [{ kind: "hyperedge-removed", id: op.hyperedgeId }]
    }),
  cost: () => REMOVE_COST,
})
