// Read-only queries (spec §11.1 "query"), served by HTTP GET routes and CLI commands. Arguments
// arrive untyped (JSON, query strings) and are decoded with the query's schema; results leave
// encoded by its result schema, so the host can serialize any intrinsic's answer the same way.
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as JSONSchema from "effect/JSONSchema"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import type { ReadView } from "./state-view.ts"

export class QueryError extends Data.TaggedError("QueryError")<{
  readonly kind: "bad-request" | "not-found" | "unknown-query"
  readonly reason: string
}> {
  override get message(): string {
    return `${this.kind}: ${this.reason}`
  }
}

/** One top-level field of a query's arguments, as a query-string parameter (JSON Schema of its encoded form). */
export interface QueryParameter {
  readonly name: string
  readonly required: boolean
  readonly schema: Readonly<Record<string, unknown>>
}

/**
 * What a query may know besides the view: the frame the view is at (the shard's head; undefined before
 * the first frame). Reads that depend on frames (expiry counted in frames) use it, never the clock.
 */
export interface QueryCtx {
  readonly frameNumber: bigint | undefined
  /**
   * Vertices created (absent before, present after) in committed frames after `afterFrame` (all frames
   * when undefined) whose ids start with `domain`, oldest first, from the host's frame records; whole
   * frames only, stopping once `limit` ids are collected. `scannedTo` is the last frame looked at.
   * Lets a wallet scanner find new records without iterating the view (D-EXEC-9). Absent on hosts
   * without frame records (unit tests); a query then answers bad-request.
   */
  readonly createdSince?: (
    domain: Uint8Array,
    afterFrame: bigint | undefined,
    limit: number,
  ) => { readonly ids: ReadonlyArray<{ readonly frameNumber: bigint; readonly id: Uint8Array }>; readonly scannedTo: bigint | undefined }
  /**
   * The fee multiplier (spec §6.2) the host would apply to a bundle of this cost basis in the next
   * frame, so clients can pay `cost × multiplier`. Absent on hosts without an executor (unit tests).
   */
  readonly feeMultiplier?: (costBasis: bigint) => bigint
}

const noCtx: QueryCtx = { frameNumber: undefined }

export interface Query {
  readonly name: string
  readonly description: string
  /** The argument fields, so the host can describe the GET route (OpenAPI) without the schema's types. */
  readonly parameters: ReadonlyArray<QueryParameter>
  /** Decodes `args`, runs, and answers the result in its encoded (JSON-ready) form. */
  readonly run: (args: unknown, view: ReadView, ctx?: QueryCtx) => Effect.Effect<unknown, QueryError>
}

const isRecord = (u: unknown): u is Readonly<Record<string, unknown>> => typeof u === "object" && u !== null && !Array.isArray(u)

/** The fields of a struct-shaped args schema; other shapes (no fields to name) describe no parameters. */
const parametersOf = <A, I>(args: Schema.Schema<A, I>): ReadonlyArray<QueryParameter> => {
  let json: unknown
  try {
    json = JSONSchema.make(args)
  } catch {
    // A schema JSON Schema cannot express (e.g. a declaration) still decodes; it is just not described.
    return []
  }
  if (!isRecord(json) || !isRecord(json.properties)) return []
  const required = new Set(Array.isArray(json.required) ? json.required : [])
  return Object.entries(json.properties).map(([name, schema]) => ({ name, required: required.has(name), schema: isRecord(schema) ? schema : {} }))
}

export const defineQuery = <A, I, O, OI>(def: {
  readonly name: string
  readonly description: string
  readonly args: Schema.Schema<A, I>
  readonly result: Schema.Schema<O, OI>
  readonly run: (args: A, view: ReadView, ctx: QueryCtx) => Effect.Effect<O, QueryError>
}): Query => {
  const decodeArgs = Schema.decodeUnknown(def.args)
  const encodeResult = Schema.encode(def.result)
  return {
    name: def.name,
    description: def.description,
    parameters: parametersOf(def.args),
    run: (args, view, ctx = noCtx) =>
      decodeArgs(args).pipe(
        Effect.mapError((e) => new QueryError({ kind: "bad-request", reason: ParseResult.TreeFormatter.formatErrorSync(e) })),
        Effect.flatMap((a) => def.run(a, view, ctx)),
        // The result schema is the intrinsic's own; a value it cannot encode is a bug, not a request error.
        Effect.flatMap((o) => Effect.orDie(encodeResult(o))),
      ),
  }
}
