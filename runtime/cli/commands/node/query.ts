// `node info|workers|actors|status`: fetches the view from the admin API, decodes it (replies.ts)
// and prints it (output.ts), or the raw JSON re-encoded with --json. The token is sent when the data
// dir has one: a node bound to a non-loopback address wants it for reads too.
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import { resolveAdminTarget } from "../../../node/admin-client.ts"
import { println } from "../../command.ts"
import { CommandFailed, UsageError } from "../../errors.ts"
import { oneLine } from "../../plain-text.ts"
import { humanLines } from "./output.ts"
import { decodeReply, errorDetail } from "./replies.ts"

export type NodeView = "info" | "workers" | "actors" | "status"

export interface NodeQuery {
  readonly view: NodeView
  readonly json: boolean
  readonly api: string | undefined
  readonly dataDir: string | undefined
}

const ROUTES: Record<NodeView, string> = { info: "/v1/node", workers: "/v1/workers", actors: "/v1/actors", status: "/v1/status" }

const message = (error: unknown): string => oneLine(error instanceof Error ? error.message : String(error))

export const queryNode = (q: NodeQuery): Effect.Effect<void, UsageError | CommandFailed> =>
  Effect.gen(function* () {
    const target = resolveAdminTarget({ api: q.api, dataDir: q.dataDir })
    if (Either.isLeft(target)) return yield* new UsageError({ reason: target.left })
    const { url, token } = target.right
    const headers: Record<string, string> = token === undefined ? {} : { authorization: `Bearer ${token}` }
    const res = yield* Effect.tryPromise({
      try: () => fetch(`${url}${ROUTES[q.view]}`, { headers, signal: AbortSignal.timeout(10_000) }),
      catch: (error) => new CommandFailed({ reason: `cannot reach the node at ${url}: ${message(error)}` }),
    })
    const text = yield* Effect.tryPromise({
      try: () => res.text(),
      catch: (error) => new CommandFailed({ reason: `${url}${ROUTES[q.view]}: ${message(error)}` }),
    })
    const where = `${url}${ROUTES[q.view]}`
    if (!res.ok) return yield* new CommandFailed({ reason: `${where}: HTTP ${res.status}: ${errorDetail(text)}` })
    const reply = decodeReply(q.view, text)
    if (Either.isLeft(reply)) return yield* new CommandFailed({ reason: `${where}: ${reply.left}` })
    // Re-encoded, so control characters in strings are JSON escapes, never raw bytes on the terminal.
    if (q.json) return yield* println(JSON.stringify(JSON.parse(text) as unknown))
    for (const line of humanLines(reply.right, oneLine(url))) yield* println(line)
  })
