// The HTTP routes an intrinsic contributes (spec §11.1 "HTTP routes", design.md §7): a Hono
// sub-app the runtime mounts under `/v1/intrinsics/<name>/`. The runtime's app keeps its
// middleware in front (bearer token for anything but GET/HEAD/OPTIONS, body limit, problem
// documents for 404/500), so a contribution only maps requests to queries, builders and submits.
// The runtime already serves every query at `GET /v1/intrinsics/<name>/<query>`; a contribution
// adds what a query cannot express (e.g. POST routes that build and submit).
import type * as Either from "effect/Either"
import * as Data from "effect/Data"
import type { Hono } from "hono"
import type { BuildEnv } from "./builders.ts"
import type { QueryError } from "./query.ts"

export const intrinsicRoutePrefix = (name: string): string => `/v1/intrinsics/${name}/`

export class SubmitRejected extends Data.TaggedError("SubmitRejected")<{ readonly reason: string }> {}

/**
 * The node could not answer a query, through no fault of the request: no data worker answered
 * (`unavailable`, a 503 for the runtime's own routes) or the query failed on the node (`failed`, a 500).
 */
export class QueryUnavailable extends Data.TaggedError("QueryUnavailable")<{ readonly kind: "unavailable" | "failed"; readonly reason: string }> {}

/** Promise-based because Hono handlers are; the runtime runs the effects behind these. */
export interface HttpEnv {
  /** Runs one of the intrinsic's own queries against committed state (on a data worker). */
  readonly query: (name: string, args: unknown) => Promise<Either.Either<unknown, QueryError | QueryUnavailable>>
  /** Hands a canonical MessageBundle to the node (replaces the reference's NodeService.Send, spec §7.2). */
  readonly submitBundle: (bundle: Uint8Array) => Promise<Either.Either<void, SubmitRejected>>
  readonly build: BuildEnv
}

export type HttpContribution = (env: HttpEnv) => Hono
