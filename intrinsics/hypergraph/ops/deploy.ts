// HypergraphDeploy (0x0402, spec §3.8): routed to HYPERGRAPH_BASE_DOMAIN; creates the instance's
// metadata vertex at `poseidon("q_hypergraph" ‖ configTree.Commit()) ‖ 0xff×32` with `create`, so a
// second deploy of the same configuration fails (spec §11.3 #8). The schema must parse.
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import { bytesEqual, canonicalWriter, decodeCanonical, defineOperation, OpError, type TypedOperation, vertex } from "../../contract/index.ts"
import { invalid, metadataId, paysFee, stateError, targetsRoutedDomain } from "../checks.ts"
import { configCostBytes, type HypergraphConfig, hypergraphInstanceAddress, readConfig, writeConfig } from "../config.ts"
import { HYPERGRAPH_BASE_DOMAIN, HYPERGRAPH_DEPLOY, MAX_SCHEMA_BYTES } from "../constants.ts"
import { encodeMetadata } from "../metadata.ts"
import { parseSchema } from "../schema.ts"

export interface HypergraphDeploy {
  readonly config: HypergraphConfig
  /** UTF-8 Turtle (schema.ts); kept as bytes so the canonical form is exactly what was sent. */
  readonly schema: Uint8Array
}

const deployCost = (op: HypergraphDeploy): bigint => BigInt(op.schema.length + configCostBytes(op.config))

/** Schema bytes as text; invalid UTF-8 is refused rather than replaced, so the stored text is what was signed and sent. */
export const schemaText = (opType: number, bytes: Uint8Array): Effect.Effect<string, OpError> =>
  Effect.try({
    try: () => new TextDecoder("utf-8", { fatal: true }).decode(bytes),
    catch: () => invalid(opType, "the schema is not UTF-8"),
  })

export const hypergraphDeploy: TypedOperation<HypergraphDeploy> = defineOperation<HypergraphDeploy>({
  opType: HYPERGRAPH_DEPLOY,
  name: "deploy",
  encode: (op) => writeConfig(canonicalWriter(HYPERGRAPH_DEPLOY), op.config).bytes(op.schema).finish(),
  decode: (bytes) =>
    decodeCanonical(HYPERGRAPH_DEPLOY, bytes, (r) =>
      Either.gen(function* () {
        const config = yield* readConfig(r, HYPERGRAPH_DEPLOY)
        const schema = yield* r.bytes("schema", MAX_SCHEMA_BYTES)
        return { config, schema }
      }),
    ),
  // Lock time has the crypto too; without a KZG binding there is no address, nothing to lock, and
  // validate refuses the operation, so apply (the only writer) never runs.
  target: () => HYPERGRAPH_BASE_DOMAIN,
  accessSet: (op, ctx) => {
    const domain = hypergraphInstanceAddress(op.config, ctx.crypto)
    return { reads: [], writes: Either.isRight(domain) ? [metadataId(domain.right)] : [] }
  },
  validate: (op, view, ctx) =>
    Effect.gen(function* () {
      yield* targetsRoutedDomain(HYPERGRAPH_DEPLOY, HYPERGRAPH_BASE_DOMAIN, ctx)
      const text = yield* schemaText(HYPERGRAPH_DEPLOY, op.schema)
      const parsed = parseSchema(text)
      if (Either.isLeft(parsed)) return yield* Effect.fail(invalid(HYPERGRAPH_DEPLOY, `schema: ${parsed.left.reason}`))
      const domain = yield* Effect.mapError(hypergraphInstanceAddress(op.config, ctx.crypto), (e) => new OpError({ ...e, opType: HYPERGRAPH_DEPLOY }))
      if (bytesEqual(domain, HYPERGRAPH_BASE_DOMAIN))
        return yield* Effect.fail(invalid(HYPERGRAPH_DEPLOY, "the instance address collides with the base domain"))
      if (view.get(vertex(metadataId(domain)))._tag !== "Absent") {
        return yield* Effect.fail(stateError(HYPERGRAPH_DEPLOY, "an instance with this configuration exists already"))
      }
      yield* paysFee(HYPERGRAPH_DEPLOY, deployCost(op), ctx)
    }),
  apply: (op, view, ctx) =>
    Effect.gen(function* () {
      const domain = yield* Effect.mapError(hypergraphInstanceAddress(op.config, ctx.crypto), (e) => new OpError({ ...e, opType: HYPERGRAPH_DEPLOY }))
      const schema = yield* schemaText(HYPERGRAPH_DEPLOY, op.schema)
      const id = metadataId(domain)
      yield* view.put(vertex(id), encodeMetadata({ schema, config: op.config, typeTag: HYPERGRAPH_BASE_DOMAIN }), "create")
      return [{ kind: "hypergraph-deployed", id, data: domain }]
    }),
  cost: deployCost,
})
