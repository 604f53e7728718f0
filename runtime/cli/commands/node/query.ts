// `node info|workers|actors|status`: fetches the view from the admin API and prints it (output.ts).
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import { resolveAdminTarget } from "../../../node/admin-client.ts"
import { println } from "../../command.ts"
import { CommandFailed, UsageError } from "../../errors.ts"
import { human } from "./output.ts"

export type NodeView = "info" | "workers" | "actors" | "status"

export interface NodeQuery {
  readonly view: NodeView
  readonly json: boolean
  readonly api: string | undefined
  readonly dataDir: string | undefined
}

const ROUTES: Record<NodeView, string> = { info: "/v1/node", workers: "/v1/workers", actors: "/v1/actors", status: "/v1/status" }

const message = (error: unknown): string => (error instanceof Error ? error.message : String(error))

export const queryNode = (q: NodeQuery): Effect.Effect<void, UsageError | CommandFailed> =>
  Effect.gen(function* () {
    const target = resolveAdminTarget({ api: q.api, dataDir: q.dataDir })
    if (Either.isLeft(target)) return yield* new UsageError({ reason: target.left })
    const { url } = target.right
    const res = yield* Effect.tryPromise({
      try: () => fetch(`${url}${ROUTES[q.view]}`, { signal: AbortSignal.timeout(10_000) }),
      catch: (error) => new CommandFailed({ reason: `cannot reach the node at ${url}: ${message(error)}` }),
    })
    const text = yield* Effect.tryPromise({
      try: () => res.text(),
      catch: (error) => new CommandFailed({ reason: `${url}${ROUTES[q.view]}: ${message(error)}` }),
    })
    if (!res.ok) return yield* new CommandFailed({ reason: `${url}${ROUTES[q.view]}: HTTP ${res.status}: ${text}` })
    if (q.json) return yield* println(text)
    yield* Effect.sync(() => human(q.view, JSON.parse(text) as unknown, url))
  })
