// Model test of the mailbox and supervisor under crashes (runtime/kernel/actor/README.md, "Crashes,
// restarts and pending asks"): fast-check generates schedules of tells and asks from several concurrent
// senders, with work, poison messages, crashes after side effects and failing inits, and the model says
// what must happen — the crashing message is not redelivered (an ask gets ActorRestarted), everything
// queued behind it is processed by the next incarnation, so every non-poison message is processed
// exactly once and in per-sender order. fast-check shrinks a failing schedule to a minimal one.
import { expect, test } from "bun:test"
import { Effect, Exit, Schema } from "effect"
import fc from "fast-check"
import { Actor, ActorRestarted, Backoff, Protocol, Snapshot, Supervisor } from "../../../../../runtime/kernel/index.ts"
import type { MailboxFull } from "../../../../../runtime/kernel/index.ts"
import { runTest, withSystem } from "./fixtures.ts"

class Work extends Schema.TaggedClass<Work>()("Work", { id: Schema.String }) {}
class WorkThenCrash extends Schema.TaggedClass<WorkThenCrash>()("WorkThenCrash", { id: Schema.String }) {}
class Poison extends Schema.TaggedClass<Poison>()("Poison", { id: Schema.String }) {}
class WorkAsk extends Schema.TaggedRequest<WorkAsk>()("WorkAsk", {
  payload: { id: Schema.String },
  success: Schema.String,
  failure: Schema.Never,
}) {}
class PoisonAsk extends Schema.TaggedRequest<PoisonAsk>()("PoisonAsk", {
  payload: { id: Schema.String },
  success: Schema.String,
  failure: Schema.Never,
}) {}
const Job = Protocol.make("Job", Work, WorkThenCrash, Poison, WorkAsk, PoisonAsk)

type Op = Work | WorkThenCrash | Poison | WorkAsk | PoisonAsk
type Kind = Op["_tag"]
interface Reply {
  readonly op: Op
  readonly exit: Exit.Exit<string, unknown> | undefined
}

const isAsk = (op: Op): op is WorkAsk | PoisonAsk => op._tag === "WorkAsk" || op._tag === "PoisonAsk"
/** The model: what processing a message records (poison records nothing; WorkThenCrash records, then crashes). */
const records = (op: Op): boolean => op._tag === "Work" || op._tag === "WorkAsk" || op._tag === "WorkThenCrash"
const crashes = (op: Op): boolean => op._tag === "WorkThenCrash" || op._tag === "Poison" || op._tag === "PoisonAsk"

const kind: fc.Arbitrary<Kind> = fc.oneof(
  { arbitrary: fc.constant("Work" as const), weight: 11 },
  { arbitrary: fc.constant("WorkAsk" as const), weight: 3 },
  { arbitrary: fc.constant("WorkThenCrash" as const), weight: 2 },
  { arbitrary: fc.constant("Poison" as const), weight: 2 },
  { arbitrary: fc.constant("PoisonAsk" as const), weight: 2 },
)
const makeOp = (k: Kind, id: string): Op => {
  switch (k) {
    case "Work":
      return new Work({ id })
    case "WorkAsk":
      return new WorkAsk({ id })
    case "WorkThenCrash":
      return new WorkThenCrash({ id })
    case "Poison":
      return new Poison({ id })
    case "PoisonAsk":
      return new PoisonAsk({ id })
  }
}
/** One plan per concurrent sender; ids are `<prefix><sender>-<index>`. */
const plansOf = (kinds: ReadonlyArray<ReadonlyArray<Kind>>, prefix = "s"): Array<Array<Op>> =>
  kinds.map((plan, s) => plan.map((k, i) => makeOp(k, `${prefix}${s}-${i}`)))

interface Schedule {
  readonly senders: ReadonlyArray<ReadonlyArray<Kind>>
  readonly capacity: number
  readonly initFailures: ReadonlyArray<boolean>
}

const schedule: fc.Arbitrary<Schedule> = fc.record({
  senders: fc.array(fc.array(kind, { minLength: 1, maxLength: 40 }), { minLength: 1, maxLength: 3 }),
  capacity: fc.integer({ min: 1, max: 32 }),
  /** Init k (k ≥ 2) fails when true, unless the previous init failed (so the schedule always progresses). */
  initFailures: fc.array(fc.boolean(), { maxLength: 40 }),
})

const handlers = (processed: Array<string>) => ({
  Work: (n: number, m: Work) =>
    Effect.sync(() => {
      processed.push(m.id)
      return n + 1
    }),
  WorkThenCrash: (_n: number, m: WorkThenCrash) => Effect.sync(() => processed.push(m.id)).pipe(Effect.zipRight(Effect.die("after work"))),
  Poison: () => Effect.die("poison"),
  WorkAsk: (n: number, m: WorkAsk) =>
    Effect.sync(() => {
      processed.push(m.id)
      return [n + 1, m.id] as const
    }),
  PoisonAsk: () => Effect.die("poison ask"),
})

const runSchedule = (s: Schedule) => {
  const processed: Array<string> = []
  let inits = 0
  let failedInits = 0
  let previousFailed = false
  const job = Actor.make(
    "job",
    Job,
    {
      init: () =>
        Effect.suspend((): Effect.Effect<number> => {
          inits++
          const fail = inits > 1 && !previousFailed && s.initFailures[inits - 1] === true
          previousFailed = fail
          if (fail) {
            failedInits++
            return Effect.die(new Error("init failed"))
          }
          return Effect.succeed(0)
        }),
      handlers: handlers(processed),
    },
    {
      backoff: Backoff.immediate,
      intensity: { maxRestarts: 1_000_000, within: "1 hour" },
      mailbox: { capacity: s.capacity, overflow: "backpressure" },
    },
  )
  const plans = plansOf(s.senders)
  return withSystem((system) =>
    Effect.gen(function* () {
      const ref = yield* system.spawn(job)
      const send = (op: Op): Effect.Effect<Reply, MailboxFull> =>
        isAsk(op) ? Effect.map(Effect.exit(ref.ask(op)), (exit): Reply => ({ op, exit })) : Effect.as(ref.tell(op), { op, exit: undefined })
      const replies = yield* Effect.forEach(plans, (plan) => Effect.forEach(plan, send), { concurrency: "unbounded" })
      // Drain: one last ask behind everything.
      yield* ref.ask(new WorkAsk({ id: "final" }))
      const snap = Snapshot.find(yield* system.snapshot, "/root/job")
      return { plans, replies: replies.flat(), restarts: snap?.restarts, processed, failedInits }
    }),
  )
}

test("model: under any crash schedule every non-poison message is processed exactly once, in per-sender order", async () => {
  let totalRestarts = 0
  await fc.assert(
    fc.asyncProperty(schedule, async (s) => {
      const out = await runTest(runSchedule(s))
      const processed = out.processed.filter((id) => id !== "final")
      // Exactly once: each recorded id appears once, and the recorded set is the model's.
      expect(new Set(processed).size).toBe(processed.length)
      expect([...processed].sort()).toEqual(
        out.plans
          .flat()
          .filter(records)
          .map((op) => op.id)
          .sort(),
      )
      // Per-sender order.
      out.plans.forEach((plan, i) => {
        expect(processed.filter((id) => id.startsWith(`s${i}-`))).toEqual(plan.filter(records).map((op) => op.id))
      })
      // Asks: work gets its reply; the crashing ask gets ActorRestarted (it is not redelivered).
      for (const { op, exit } of out.replies) {
        if (op._tag === "WorkAsk") expect(exit).toEqual(Exit.succeed(op.id))
        if (op._tag === "PoisonAsk") {
          expect(exit !== undefined && Exit.isFailure(exit) && exit.cause._tag === "Fail" ? exit.cause.error : exit).toBeInstanceOf(ActorRestarted)
        }
      }
      // One restart per crash and per failed init.
      expect(out.restarts).toBe(out.plans.flat().filter(crashes).length + out.failedInits)
      totalRestarts += out.restarts ?? 0
    }),
    { numRuns: 40 },
  )
  // The schedules did exercise restarts (the property is not vacuous).
  expect(totalRestarts).toBeGreaterThan(100)
}, 60_000)

// The same guarantee when siblings are restarted by one-for-all / rest-for-one: a sibling stopped for a
// group restart finishes its current message and keeps its queue.
const groupSchedule = fc.record({
  strategy: fc.constantFrom("one-for-all" as const, "rest-for-one" as const),
  senders: fc.array(fc.array(kind, { minLength: 1, maxLength: 30 }), { minLength: 3, maxLength: 3 }),
  capacity: fc.integer({ min: 1, max: 16 }),
})

const runGroup = (s: { strategy: "one-for-all" | "rest-for-one"; senders: ReadonlyArray<ReadonlyArray<Kind>>; capacity: number }) => {
  const names = ["j0", "j1", "j2"]
  const processed: Record<string, Array<string>> = { j0: [], j1: [], j2: [] }
  const worker = (name: string) =>
    Actor.make(
      name,
      Job,
      { init: () => Effect.succeed(0), handlers: handlers(processed[name] ?? []) },
      { backoff: Backoff.immediate, intensity: { maxRestarts: 1_000_000, within: "1 hour" }, mailbox: { capacity: s.capacity } },
    )
  // Sender i talks to worker j<i>; ids are j<i>-<index>.
  const plans = plansOf(s.senders, "j")
  return withSystem((system) =>
    Effect.gen(function* () {
      yield* system.spawnSupervisor(Supervisor.make("group", { strategy: s.strategy, children: names.map(worker) }))
      const refs = yield* Effect.forEach(names, (name) => system.lookup(`/root/group/${name}`, Job))
      yield* Effect.forEach(
        plans,
        (plan, i) =>
          Effect.forEach(plan, (op) => {
            const ref = refs[i] as (typeof refs)[number]
            return isAsk(op) ? Effect.exit(ref.ask(op)) : ref.tell(op)
          }),
        { concurrency: "unbounded" },
      )
      yield* Effect.forEach(refs, (ref) => ref.ask(new WorkAsk({ id: "final" })))
      return { plans, processed }
    }),
  )
}

test("model: siblings restarted by one-for-all / rest-for-one neither lose nor double-process", async () => {
  await fc.assert(
    fc.asyncProperty(groupSchedule, async (s) => {
      const out = await runTest(runGroup(s))
      out.plans.forEach((plan, i) => {
        expect(out.processed[`j${i}`]?.filter((id) => id !== "final")).toEqual(plan.filter(records).map((op) => op.id))
      })
    }),
    { numRuns: 25 },
  )
}, 60_000)
