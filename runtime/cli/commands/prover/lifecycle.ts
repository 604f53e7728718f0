// `prover join|confirm|reject|leave|pause|resume|delegate`: asks the node to build, check and submit its own
// lifecycle operation (POST /v1/provers/lifecycle), then prints what the registry shows for the prover,
// one fact a line (`Prover 0x…: …`, `Allocation 0x…: <status> since frame <n>`). With --wait it first
// waits until the committed frames applied it (the registry shows the operation's effect).
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import { LifecycleSubmitted, type LifecycleOperationName, ProverView } from "../../../api/backend.ts"
import { resolveAdminTarget } from "../../../node/admin-client.ts"
import { parseLifecycleBody } from "../../../node/lifecycle-body.ts"
import { println } from "../../command.ts"
import { CommandFailed, UsageError } from "../../errors.ts"
import { oneLine } from "../../plain-text.ts"
import { errorDetail } from "../node/replies.ts"
import { allocationLine, decode, message, proverLine } from "./query.ts"

export interface LifecycleCommand {
  readonly operation: LifecycleOperationName
  readonly filters: ReadonlyArray<string>
  readonly delegate: string | undefined
  readonly wait: boolean
  readonly timeoutSeconds: number
  readonly json: boolean
  readonly api: string | undefined
  readonly dataDir: string | undefined
}

/** Registry status each operation leads to, per named filter (delegate: the prover's delegate). */
const EXPECTED: Record<Exclude<LifecycleOperationName, "delegate">, string> = {
  join: "Joining",
  confirm: "Active",
  reject: "Rejected",
  leave: "Leaving",
  pause: "Paused",
  resume: "Active",
}

const bare = (hex: string): string => hex.replace(/^0x/i, "").toLowerCase()

const applied = (c: LifecycleCommand, submitted: LifecycleSubmitted, p: ProverView): boolean => {
  if (c.operation === "delegate") return p.delegate === bare(c.delegate ?? "")
  const expected = EXPECTED[c.operation]
  return c.filters.every((f) =>
    p.allocations.some(
      (a) =>
        a.filter === bare(f) &&
        a.status === expected &&
        // A join is this join (not an earlier one at the same filter); the others began at or after it was signed.
        (c.operation === "join" ? a.joinFrameNumber === String(submitted.frameNumber) : BigInt(a.since) >= BigInt(submitted.frameNumber)),
    ),
  )
}

export const runLifecycle = (c: LifecycleCommand): Effect.Effect<void, UsageError | CommandFailed> =>
  Effect.gen(function* () {
    const body = {
      operation: c.operation,
      ...(c.filters.length === 0 ? {} : { filters: c.filters }),
      ...(c.delegate === undefined ? {} : { delegate: c.delegate }),
    }
    const parsed = parseLifecycleBody(body)
    if (typeof parsed === "string") return yield* new UsageError({ reason: parsed })
    const target = resolveAdminTarget({ api: c.api, dataDir: c.dataDir })
    if (Either.isLeft(target)) return yield* new UsageError({ reason: target.left })
    const { url, token } = target.right
    const headers: Record<string, string> = token === undefined ? {} : { authorization: `Bearer ${token}` }
    const call = (where: string, init: RequestInit) =>
      Effect.gen(function* () {
        const res = yield* Effect.tryPromise({
          try: () =>
            fetch(where, {
              ...init,
              headers: { ...headers, ...(init.body === undefined ? {} : { "content-type": "application/json" }) },
              signal: AbortSignal.timeout(30_000),
            }),
          catch: (error) => new CommandFailed({ reason: `cannot reach the node at ${url}: ${message(error)}` }),
        })
        const text = yield* Effect.tryPromise({ try: () => res.text(), catch: (error) => new CommandFailed({ reason: `${where}: ${message(error)}` }) })
        return { status: res.status, ok: res.ok, text }
      })
    const submitAt = `${url}/v1/provers/lifecycle`
    const reply = yield* call(submitAt, { method: "POST", body: JSON.stringify(body) })
    if (reply.status === 409) return yield* new CommandFailed({ reason: `${c.operation} refused by the prover registry: ${errorDetail(reply.text)}` })
    if (!reply.ok) return yield* new CommandFailed({ reason: `${submitAt}: HTTP ${reply.status}: ${errorDetail(reply.text)}` })
    const submitted = decode(LifecycleSubmitted, reply.text)
    if (Either.isLeft(submitted)) return yield* new CommandFailed({ reason: `${submitAt}: ${submitted.left}` })
    const s = submitted.right
    const proverAt = `${url}/v1/provers/${s.address}`
    const read = Effect.gen(function* () {
      const r = yield* call(proverAt, { method: "GET" })
      if (r.status === 404) return undefined
      if (!r.ok) return yield* new CommandFailed({ reason: `${proverAt}: HTTP ${r.status}: ${errorDetail(r.text)}` })
      const p = decode(ProverView, r.text)
      if (Either.isLeft(p)) return yield* new CommandFailed({ reason: `${proverAt}: ${p.left}` })
      return p.right
    })
    let prover = yield* read
    if (c.wait) {
      const deadline = Date.now() + c.timeoutSeconds * 1000
      while (prover === undefined || !applied(c, s, prover)) {
        if (Date.now() > deadline)
          return yield* new CommandFailed({
            reason: `${c.operation} (request ${s.id}, signed at frame ${s.frameNumber}) not applied after ${c.timeoutSeconds} s; the registry may have refused it (see the node log at debug)`,
          })
        yield* Effect.sleep("500 millis")
        prover = yield* read
      }
    }
    if (c.json) return yield* println(JSON.stringify({ submitted: s, prover: prover ?? null }))
    yield* println(`Submitted ${s.operation} for prover 0x${s.address} at frame ${s.frameNumber} (request ${s.id})`)
    if (prover === undefined) return yield* println(`Prover 0x${s.address}: not in the registry yet`)
    for (const line of [proverLine(prover), ...prover.allocations.map((a) => allocationLine(prover, a))]) yield* println(oneLine(line))
  })
