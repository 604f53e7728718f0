// HypergraphUpdate (0x0403, spec §3.8): a new configuration and/or a schema that only adds, signed
// with BLS48-581 by the owner key PERSISTED in the metadata vertex (spec §11.3 #26) over the
// canonical update with an empty signature, domain `instance ‖ "HYPERGRAPH_UPDATE"`. The schema is
// written where it is read, metadata key `2 << 2` (§11.3 #27).
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import { canonicalWriter, DOMAIN_LENGTH, decodeCanonical, defineOperation, malformed, type TypedOperation, vertex } from "../../contract/index.ts"
import { invalid, metadataId, paysFee, readInstance, targetsRoutedDomain } from "../checks.ts"
import { configCostBytes, type HypergraphConfig, readConfig, writeConfig } from "../config.ts"
import { BLS_SIGNATURE_BYTES, HYPERGRAPH_BASE_DOMAIN, HYPERGRAPH_UPDATE, MAX_SCHEMA_BYTES, SIG_HYPERGRAPH_UPDATE } from "../constants.ts"
import { signatureDomain } from "../markers.ts"
import { encodeMetadata } from "../metadata.ts"
import { additiveProblem, parseSchema } from "../schema.ts"
import { schemaText } from "./deploy.ts"

export interface HypergraphUpdate {
  /** The instance being updated (the routed domain). */
  readonly domain: Uint8Array
  readonly config: HypergraphConfig | undefined
  readonly schema: Uint8Array | undefined
  readonly signature: Uint8Array
}

const encodeUpdate = (op: HypergraphUpdate): Uint8Array => {
  const w = canonicalWriter(HYPERGRAPH_UPDATE).fixed(op.domain)
  if (op.config === undefined) w.u8(0)
  else writeConfig(w.u8(1), op.config)
  if (op.schema === undefined) w.u8(0)
  else w.u8(1).bytes(op.schema)
  return w.bytes(op.signature).finish()
}

/** What the owner signs: the canonical update with an empty signature. */
export const updateMessage = (op: Omit<HypergraphUpdate, "signature">): Uint8Array => encodeUpdate({ ...op, signature: new Uint8Array(0) })

/** The BLS domain `instance ‖ "HYPERGRAPH_UPDATE"`. */
export const updateSignatureDomain = (domain: Uint8Array): Uint8Array => signatureDomain(domain, SIG_HYPERGRAPH_UPDATE)

/** As for deploy; a missing part costs nothing (the reference panics on a nil config). */
const updateCost = (op: HypergraphUpdate): bigint => BigInt((op.schema?.length ?? 0) + configCostBytes(op.config))

export const hypergraphUpdate: TypedOperation<HypergraphUpdate> = defineOperation<HypergraphUpdate>({
  opType: HYPERGRAPH_UPDATE,
  name: "update",
  encode: encodeUpdate,
  decode: (bytes) =>
    decodeCanonical(HYPERGRAPH_UPDATE, bytes, (r) =>
      Either.gen(function* () {
        const domain = yield* r.fixed("domain", DOMAIN_LENGTH)
        const hasConfig = yield* r.u8("config flag")
        if (hasConfig > 1) return yield* Either.left(malformed(HYPERGRAPH_UPDATE, "config flag is 0 or 1"))
        const config = hasConfig === 1 ? yield* readConfig(r, HYPERGRAPH_UPDATE) : undefined
        const hasSchema = yield* r.u8("schema flag")
        if (hasSchema > 1) return yield* Either.left(malformed(HYPERGRAPH_UPDATE, "schema flag is 0 or 1"))
        const schema = hasSchema === 1 ? yield* r.bytes("schema", MAX_SCHEMA_BYTES) : undefined
        if (config === undefined && schema === undefined)
          return yield* Either.left(malformed(HYPERGRAPH_UPDATE, "an update carries a config, a schema or both"))
        const signature = yield* r.bytes("signature", BLS_SIGNATURE_BYTES)
        return { domain, config, schema, signature }
      }),
    ),
  target: (op) => op.domain,
  accessSet: (op) => ({ reads: [], writes: [metadataId(op.domain)] }),
  validate: (op, view, ctx) =>
    Effect.gen(function* () {
      yield* targetsRoutedDomain(HYPERGRAPH_UPDATE, op.domain, ctx)
      const meta = yield* readInstance(HYPERGRAPH_UPDATE, op.domain, view, HYPERGRAPH_BASE_DOMAIN)
      if (meta.config.ownerPublicKey.length === 0) return yield* Effect.fail(invalid(HYPERGRAPH_UPDATE, "the instance has no owner key; it cannot be updated"))
      if (!ctx.crypto.blsVerify(meta.config.ownerPublicKey, op.signature, updateMessage(op), updateSignatureDomain(op.domain))) {
        return yield* Effect.fail(invalid(HYPERGRAPH_UPDATE, "the signature is not by the instance's owner key"))
      }
      if (op.schema !== undefined) {
        const next = parseSchema(yield* schemaText(HYPERGRAPH_UPDATE, op.schema))
        if (Either.isLeft(next)) return yield* Effect.fail(invalid(HYPERGRAPH_UPDATE, `schema: ${next.left.reason}`))
        const current = parseSchema(meta.schema)
        // A stored schema that no longer parses cannot constrain the update; deploy guaranteed it did.
        const problem = Either.isRight(current) ? additiveProblem(current.right, next.right) : undefined
        if (problem !== undefined) return yield* Effect.fail(invalid(HYPERGRAPH_UPDATE, `schema updates may only add: ${problem}`))
      }
      yield* paysFee(HYPERGRAPH_UPDATE, updateCost(op), ctx)
    }),
  apply: (op, view) =>
    Effect.gen(function* () {
      const id = metadataId(op.domain)
      const meta = yield* readInstance(HYPERGRAPH_UPDATE, op.domain, view, HYPERGRAPH_BASE_DOMAIN)
      const schema = op.schema === undefined ? meta.schema : yield* schemaText(HYPERGRAPH_UPDATE, op.schema)
      yield* view.put(vertex(id), encodeMetadata({ schema, config: op.config ?? meta.config, typeTag: meta.typeTag }), "update")
      return [{ kind: "hypergraph-updated", id }]
    }),
  cost: updateCost,
})
