// What an intrinsic's commands get from the CLI (intrinsics/contract CliEnv): the admin API under
// `/v1/intrinsics/<name>/` (target and token as `node` commands resolve them) and the crypto for
// builders. Native BLS48-581/KZG load on first use, so commands that never need them stay fast.
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import { type CliEnv, IntrinsicCliFailure, intrinsicRoutePrefix } from "../../intrinsics/contract/index.ts"
import { SUBMISSION_PENDING } from "../api/backend.ts"
import { resolveAdminTarget } from "../node/admin-client.ts"
import { nodeBuildEnv } from "../node/intrinsics.ts"

const message = (error: unknown): string => (error instanceof Error ? error.message : String(error))

const request = (name: string, method: "GET" | "POST", path: string, query?: Readonly<Record<string, string>>, body?: unknown) =>
  Effect.gen(function* () {
    const target = resolveAdminTarget({})
    if (Either.isLeft(target)) return yield* Effect.fail(new IntrinsicCliFailure({ reason: target.left, usage: true }))
    const qs = query === undefined ? "" : `?${new URLSearchParams(query).toString()}`
    const url = `${target.right.url}${intrinsicRoutePrefix(name)}${path}${qs}`
    const headers: Record<string, string> = { "content-type": "application/json" }
    if (method === "POST" && target.right.token !== undefined) headers.authorization = `Bearer ${target.right.token}`
    const res = yield* Effect.tryPromise({
      try: () => fetch(url, { method, headers, signal: AbortSignal.timeout(10_000), ...(body === undefined ? {} : { body: JSON.stringify(body) }) }),
      catch: (error) => new IntrinsicCliFailure({ reason: `cannot reach the node at ${target.right.url}: ${message(error)}`, usage: false }),
    })
    const text = yield* Effect.tryPromise({
      try: () => res.text(),
      catch: (error) => new IntrinsicCliFailure({ reason: `${url}: ${message(error)}`, usage: false }),
    })
    if (!res.ok) return yield* Effect.fail(new IntrinsicCliFailure({ reason: `${url}: HTTP ${res.status}: ${text}`, usage: false }))
    return yield* Effect.try({
      try: (): unknown => JSON.parse(text),
      catch: () => new IntrinsicCliFailure({ reason: `${url}: the answer is not JSON`, usage: false }),
    })
  })

/** The CliEnv for the intrinsic named `name`; builders get the same env as the node's HTTP routes. */
export const cliEnvFor = (name: string): CliEnv => ({
  api: {
    get: (path, query) => request(name, "GET", path, query),
    post: (path, body) => request(name, "POST", path, undefined, body),
    // The node rejects every bundle until app shards accept them; say so without a round trip.
    submitBundle: () => Effect.fail(new IntrinsicCliFailure({ reason: SUBMISSION_PENDING, usage: false })),
  },
  build: nodeBuildEnv,
})
