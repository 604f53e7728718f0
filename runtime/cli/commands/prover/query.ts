// `prover status|rewards`: fetches the registry view from the admin API, decodes it with the API's own
// schema and prints `Prover 0x<address>: <status>, seniority <n>, reward <x.xxxxxxxxxxxx> QUIL`.
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import { ProverView } from "../../../api/backend.ts"
import { resolveAdminTarget } from "../../../node/admin-client.ts"
import { println } from "../../command.ts"
import { CommandFailed, UsageError } from "../../errors.ts"
import { oneLine } from "../../plain-text.ts"
import { errorDetail } from "../node/replies.ts"

export interface ProverQuery {
  readonly view: "status" | "rewards"
  readonly address: string | undefined
  readonly json: boolean
  readonly api: string | undefined
  readonly dataDir: string | undefined
}

export const message = (error: unknown): string => oneLine(error instanceof Error ? error.message : String(error))

/** The line the issue and the reference client print for a prover. */
export const proverLine = (p: ProverView): string => `Prover 0x${p.address}: ${p.status.toLowerCase()}, seniority ${p.seniority}, reward ${p.rewardQuil} QUIL`

/** The issue's allocation fact: registry status 4 reads `left` (a confirmed leave or a refused join), a kicked prover's `kicked`. */
export const allocationLine = (p: ProverView, a: ProverView["allocations"][number]): string => {
  const phase = p.status === "Kicked" ? "kicked" : a.status === "Rejected" ? "left" : a.status.toLowerCase()
  return `Allocation ${a.filter === "" ? "global" : `0x${a.filter}`}: ${phase} since frame ${a.since}`
}

const detailLines = (p: ProverView): Array<string> => [
  proverLine(p),
  `  reward ${p.reward} raw units (8000000000 per QUIL)`,
  ...p.allocations.map(
    (a) =>
      `  allocation ${a.filter === "" ? "global" : `0x${a.filter}`}: ${a.status.toLowerCase()}, ring ${a.ring ?? "-"}, joined frame ${a.joinFrameNumber}, last active frame ${a.lastActiveFrameNumber}`,
  ),
]

export const decode = <A, I>(schema: Schema.Schema<A, I>, text: string): Either.Either<A, string> => {
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    return Either.left("the reply is not JSON")
  }
  return Schema.decodeUnknownEither(schema)(parsed).pipe(Either.mapLeft((e) => oneLine(ParseResult.TreeFormatter.formatErrorSync(e))))
}

export const queryProvers = (q: ProverQuery): Effect.Effect<void, UsageError | CommandFailed> =>
  Effect.gen(function* () {
    const hex = q.address?.replace(/^0x/i, "")
    if (hex !== undefined && !/^[0-9a-fA-F]{64}$/.test(hex))
      return yield* new UsageError({ reason: `${JSON.stringify(q.address)} is not a prover address (64 hex digits)` })
    const target = resolveAdminTarget({ api: q.api, dataDir: q.dataDir })
    if (Either.isLeft(target)) return yield* new UsageError({ reason: target.left })
    const { url, token } = target.right
    const where = `${url}${hex === undefined ? "/v1/provers" : `/v1/provers/${hex.toLowerCase()}`}`
    const headers: Record<string, string> = token === undefined ? {} : { authorization: `Bearer ${token}` }
    const res = yield* Effect.tryPromise({
      try: () => fetch(where, { headers, signal: AbortSignal.timeout(10_000) }),
      catch: (error) => new CommandFailed({ reason: `cannot reach the node at ${url}: ${message(error)}` }),
    })
    const text = yield* Effect.tryPromise({ try: () => res.text(), catch: (error) => new CommandFailed({ reason: `${where}: ${message(error)}` }) })
    if (!res.ok) return yield* new CommandFailed({ reason: `${where}: HTTP ${res.status}: ${errorDetail(text)}` })
    const provers = hex === undefined ? decode(Schema.Array(ProverView), text) : Either.map(decode(ProverView, text), (p) => [p])
    if (Either.isLeft(provers)) return yield* new CommandFailed({ reason: `${where}: ${provers.left}` })
    if (q.json) return yield* println(JSON.stringify(JSON.parse(text) as unknown))
    // One prover asked for: its allocations too, one fact a line.
    const linesOf = (p: ProverView) =>
      q.view === "rewards" ? detailLines(p) : hex === undefined ? [proverLine(p)] : [proverLine(p), ...p.allocations.map((a) => allocationLine(p, a))]
    for (const p of provers.right) for (const line of linesOf(p)) yield* println(oneLine(line))
  })
