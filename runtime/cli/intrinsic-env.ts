// What an intrinsic's commands get from the CLI (intrinsics/contract CliEnv): the admin API under
// `/v1/intrinsics/<name>/` (target and token as `node` commands resolve them), bundle submission
// (`POST /v1/bundles`, then `GET /v1/bundles/{id}` until committed) and the crypto for builders.
// Native BLS48-581/KZG load on first use, so commands that never need them stay fast.
import { resolve } from "node:path"
import { bytesToHex } from "@noble/hashes/utils.js"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import { DEFAULT_DATA_DIR } from "../../config/index.ts"
import { type CliEnv, IntrinsicCliFailure, intrinsicRoutePrefix } from "../../intrinsics/contract/index.ts"
import { BundleAccepted, BundleStatusAnswer } from "../api/backend.ts"
import { resolveAdminTarget } from "../node/admin-client.ts"
import { nodeBuildEnv } from "../node/intrinsics.ts"
import { oneLine } from "./plain-text.ts"

/** How often a waiting submit asks for its bundle's status, and for how long at most. */
const POLL_EVERY = Duration.millis(250)
const WAIT_AT_MOST = Duration.seconds(60)

const message = (error: unknown): string => (error instanceof Error ? error.message : String(error))
const failed = (reason: string) => new IntrinsicCliFailure({ reason, usage: false })

/** A problem document's detail, else the raw body. */
const problemDetail = (text: string): string => {
  try {
    const body: unknown = JSON.parse(text)
    if (typeof body === "object" && body !== null && "detail" in body && typeof body.detail === "string") return body.detail
  } catch {
    // not JSON: the body as it is
  }
  return text
}

/** One admin API call at `path` (absolute); the answer parsed as JSON. */
const request = (method: "GET" | "POST", path: string, query?: Readonly<Record<string, string>>, body?: unknown) =>
  Effect.gen(function* () {
    const target = resolveAdminTarget({})
    if (Either.isLeft(target)) return yield* Effect.fail(new IntrinsicCliFailure({ reason: target.left, usage: true }))
    const qs = query === undefined ? "" : `?${new URLSearchParams(query).toString()}`
    const url = `${target.right.url}${path}${qs}`
    const headers: Record<string, string> = { "content-type": "application/json" }
    // Reads too: a node bound to a non-loopback address wants the token for every route but /health.
    if (target.right.token !== undefined) headers.authorization = `Bearer ${target.right.token}`
    const res = yield* Effect.tryPromise({
      try: () => fetch(url, { method, headers, signal: AbortSignal.timeout(10_000), ...(body === undefined ? {} : { body: JSON.stringify(body) }) }),
      catch: (error) => failed(`cannot reach the node at ${target.right.url}: ${message(error)}`),
    })
    const text = yield* Effect.tryPromise({ try: () => res.text(), catch: (error) => failed(`${url}: ${message(error)}`) })
    if (!res.ok) return yield* Effect.fail(failed(`${url}: HTTP ${res.status}: ${oneLine(problemDetail(text)).slice(0, 300)}`))
    return yield* Effect.try({ try: (): unknown => JSON.parse(text), catch: () => failed(`${url}: the answer is not JSON`) })
  })

const decodeAccepted = Schema.decodeUnknown(BundleAccepted)
const decodeStatus = Schema.decodeUnknown(BundleStatusAnswer)

/** Polls `GET /v1/bundles/{id}` until committed; rejected, or still undecided after WAIT_AT_MOST, fails. */
const awaitCommit = (id: string) =>
  Effect.gen(function* () {
    const deadline = Date.now() + Duration.toMillis(WAIT_AT_MOST)
    for (;;) {
      const raw = yield* request("GET", `/v1/bundles/${id}`)
      const status = yield* Effect.mapError(decodeStatus(raw), () => failed(`the node's status of bundle ${id} is malformed`))
      if (status.status === "committed") return
      if (status.status === "rejected") return yield* Effect.fail(failed(`bundle ${id} rejected: ${status.reason ?? "no reason given"}`))
      if (Date.now() >= deadline) {
        return yield* Effect.fail(failed(`bundle ${id} not committed after ${Duration.format(WAIT_AT_MOST)} (last status: ${status.status})`))
      }
      yield* Effect.sleep(POLL_EVERY)
    }
  })

const submitBundle = (bundle: Uint8Array, options?: { readonly wait: boolean }) =>
  Effect.gen(function* () {
    const raw = yield* request("POST", "/v1/bundles", undefined, { bundle: bytesToHex(bundle) })
    const accepted = yield* Effect.mapError(decodeAccepted(raw), () => failed("the node's answer to the submission is malformed"))
    if (accepted.status === "rejected") return yield* Effect.fail(failed(`bundle ${accepted.id} rejected: ${accepted.reason ?? "no reason given"}`))
    if (options?.wait === false || accepted.status === "committed") return
    yield* awaitCommit(accepted.id)
  })

/** The CliEnv for the intrinsic named `name`; builders get the same env as the node's HTTP routes. */
export const cliEnvFor = (name: string): CliEnv => ({
  api: {
    get: (path, query) => request("GET", `${intrinsicRoutePrefix(name)}${path}`, query),
    post: (path, body) => request("POST", `${intrinsicRoutePrefix(name)}${path}`, undefined, body),
    submitBundle,
  },
  build: nodeBuildEnv,
  // The same directory resolveAdminTarget reads the API address and token from.
  dataDir: resolve(process.env.QUILBUN_DATA_DIR ?? DEFAULT_DATA_DIR),
})
