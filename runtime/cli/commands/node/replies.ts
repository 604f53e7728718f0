// What `node info|workers|actors|status` accepts from the admin API. The reply comes from whatever
// answers at the URL (another program on the port, a proxy's error page, a future node), so it is
// parsed and decoded before anything is printed: a non-JSON or wrongly shaped reply is one error
// line naming the URL and what was wrong, not a stack trace or `uptime: NaNhNaNm`.
import * as Either from "effect/Either"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import { oneLine } from "../../plain-text.ts"
import type { NodeView } from "./query.ts"

const Count = Schema.Number.pipe(Schema.int(), Schema.nonNegative())
const Millis = Schema.Number.pipe(Schema.finite(), Schema.nonNegative())

const InfoReply = Schema.Struct({
  version: Schema.String,
  nodeId: Schema.String,
  uptimeMs: Millis,
  roles: Schema.Array(Schema.String),
  pid: Count,
  config: Schema.Struct({ workers: Schema.optional(Count) }),
})

const WorkersReply = Schema.Array(Schema.Struct({ core: Count, pid: Schema.NullOr(Count), state: Schema.String, restarts: Count, uptimeMs: Millis }))

const StatusReply = Schema.Struct({ line: Schema.String })

export interface TreeReply {
  readonly name: string
  readonly type?: string | undefined
  readonly status?: string | undefined
  readonly state?: string | undefined
  readonly pid?: number | null | undefined
  readonly processed?: number | undefined
  readonly restarts?: number | undefined
  readonly mailbox?: { readonly depth: number; readonly capacity: number } | null | undefined
  readonly children: ReadonlyArray<TreeReply>
}

const TreeReply: Schema.Schema<TreeReply> = Schema.Struct({
  name: Schema.String,
  type: Schema.optional(Schema.String),
  status: Schema.optional(Schema.String),
  state: Schema.optional(Schema.String),
  pid: Schema.optional(Schema.NullOr(Count)),
  processed: Schema.optional(Count),
  restarts: Schema.optional(Count),
  mailbox: Schema.optional(Schema.NullOr(Schema.Struct({ depth: Count, capacity: Count }))),
  children: Schema.Array(Schema.suspend(() => TreeReply)),
})

export type Reply =
  | { readonly view: "info"; readonly body: typeof InfoReply.Type }
  | { readonly view: "workers"; readonly body: typeof WorkersReply.Type }
  | { readonly view: "status"; readonly body: typeof StatusReply.Type }
  | { readonly view: "actors"; readonly body: TreeReply }

const WHAT: Record<NodeView, string> = { info: "node info", workers: "worker list", status: "status line", actors: "actor tree" }

/** A short, printable excerpt of a reply for an error line. */
const excerpt = (text: string, max = 80): string => {
  const safe = oneLine(text).trim()
  return safe.length > max ? `${safe.slice(0, max)}…` : safe
}

/** Parses and decodes `text` as the reply to `view`; Left is the reason (one line, printable). */
export const decodeReply = (view: NodeView, text: string): Either.Either<Reply, string> => {
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    return Either.left(`the reply is not JSON (is this a quilbun admin API?): ${JSON.stringify(excerpt(text))}`)
  }
  const as = <A, I>(schema: Schema.Schema<A, I>): Either.Either<A, string> =>
    Either.mapLeft(Schema.decodeUnknownEither(schema)(parsed), (error) => {
      const issue = ParseResult.ArrayFormatter.formatErrorSync(error)[0]
      const at = issue === undefined || issue.path.length === 0 ? "" : ` at ${issue.path.join(".")}`
      return `the reply is not a ${WHAT[view]}${at}: ${oneLine(issue?.message ?? "unexpected shape")}`
    })
  switch (view) {
    case "info":
      return Either.map(as(InfoReply), (body) => ({ view, body }))
    case "workers":
      return Either.map(as(WorkersReply), (body) => ({ view, body }))
    case "status":
      return Either.map(as(StatusReply), (body) => ({ view, body }))
    case "actors":
      return Either.map(as(TreeReply), (body) => ({ view, body }))
  }
}

/** The reason an error status gives: a problem document's detail, else an excerpt of the body. */
export const errorDetail = (text: string): string => {
  try {
    const body = JSON.parse(text) as { readonly detail?: unknown; readonly title?: unknown }
    if (typeof body.detail === "string") return excerpt(body.detail, 200)
    if (typeof body.title === "string") return excerpt(body.title, 200)
  } catch {
    // not JSON: show what came
  }
  return excerpt(text)
}
