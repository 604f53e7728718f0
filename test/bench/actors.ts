// `bun run bench actors`: the actor kernel against raw Effect primitives measured in the same run.
//   actors.tell   — tells through one actor         vs a raw Mailbox offer / takeAll loop
//   actors.ask    — sequential ask round trips      vs a raw Deferred round trip through a Mailbox
//   actors.fanout — tells spread over 100 actors    vs 100 raw Mailbox consumers
// Extra lines (no target): actors.ask_timeout (ask with a 5 s timeout) and actors.unsafe_tell (sync
// offers from plain code), both against the baseline of their Effect counterpart.
// `--quick` shortens every measurement.
import { Deferred, Effect, Exit, Mailbox, Schema, Scope } from "effect"
import { Actor, ActorSystem, Protocol } from "../../runtime/kernel/index.ts"
import type { ActorRef, ActorSystemService } from "../../runtime/kernel/index.ts"
import { opsPerSecond, reportRatio } from "./report.ts"

class Add extends Schema.TaggedClass<Add>()("Add", { n: Schema.Number }) {}
class Get extends Schema.TaggedRequest<Get>()("Get", { payload: {}, success: Schema.Number, failure: Schema.Never }) {}
const Counter = Protocol.make("Counter", Add, Get)
type CounterMsg = Add | Get

const CAPACITY = 1024

const counter = (name: string) =>
  Actor.make(
    name,
    Counter,
    {
      init: () => Effect.succeed(0),
      handlers: {
        Add: (n, m) => Effect.succeed(n + m.n),
        Get: (n) => Effect.succeed([n, n] as const),
      },
    },
    { mailbox: { capacity: CAPACITY } },
  )

const repeat = (n: number, body: (i: number) => Effect.Effect<unknown, unknown>): Effect.Effect<void, unknown> =>
  Effect.suspend(() => {
    let i = 0
    return Effect.whileLoop({ while: () => i < n, body: () => body(i++), step: () => {} })
  })

const ONE = new Add({ n: 1 })
const GET = new Get()

// ---- baselines: raw Effect primitives -------------------------------------------------------------

interface RawConsumer {
  readonly mailbox: Mailbox.Mailbox<number>
  count: number
  target: number
  done: Deferred.Deferred<void> | undefined
}

const rawConsumer = (scope: Scope.Scope): RawConsumer => {
  const mailbox = Effect.runSync(Mailbox.make<number>({ capacity: CAPACITY, strategy: "suspend" }))
  const consumer: RawConsumer = { mailbox, count: 0, target: Infinity, done: undefined }
  const loop = Effect.forever(
    Effect.flatMap(mailbox.takeAll, ([chunk]) =>
      Effect.sync(() => {
        for (const n of chunk) consumer.count += n
        if (consumer.count >= consumer.target && consumer.done !== undefined) Deferred.unsafeDone(consumer.done, Exit.void)
      }),
    ),
  )
  Effect.runFork(Effect.forkIn(loop, scope))
  return consumer
}

const rawTells = (consumers: ReadonlyArray<RawConsumer>, n: number): Effect.Effect<void, unknown> =>
  Effect.gen(function* () {
    const dones = consumers.map((c) => {
      const done = Deferred.unsafeMake<void>(undefined as never)
      c.done = done
      c.target = c.count + n / consumers.length
      return done
    })
    yield* repeat(n, (i) => (consumers[i % consumers.length] as RawConsumer).mailbox.offer(1))
    for (const d of dones) yield* Deferred.await(d)
  })

const rawServer = (scope: Scope.Scope): Mailbox.Mailbox<Deferred.Deferred<number>> => {
  const mailbox = Effect.runSync(Mailbox.make<Deferred.Deferred<number>>({ capacity: CAPACITY, strategy: "suspend" }))
  let state = 0
  const loop = Effect.forever(
    Effect.flatMap(mailbox.takeAll, ([chunk]) =>
      Effect.sync(() => {
        for (const d of chunk) Deferred.unsafeDone(d, Exit.succeed(state++))
      }),
    ),
  )
  Effect.runFork(Effect.forkIn(loop, scope))
  return mailbox
}

const rawAsk = (server: Mailbox.Mailbox<Deferred.Deferred<number>>): Effect.Effect<number> =>
  Effect.suspend(() => {
    const d = Deferred.unsafeMake<number>(undefined as never)
    return Effect.zipRight(server.offer(d), Deferred.await(d))
  })

// ---- actor cases ---------------------------------------------------------------------------------

const actorTells = (refs: ReadonlyArray<ActorRef<CounterMsg>>, n: number): Effect.Effect<void, unknown> =>
  Effect.zipRight(
    repeat(n, (i) => (refs[i % refs.length] as ActorRef<CounterMsg>).tell(ONE)),
    Effect.forEach(refs, (ref) => ref.ask(GET), { discard: true }),
  )

const run_ = (effect: Effect.Effect<unknown, unknown>): Promise<void> => Effect.runPromise(Effect.asVoid(effect))

export const run = async (args: ReadonlyArray<string>): Promise<void> => {
  const ms = args.includes("--quick") ? 300 : 1000
  const scope = Effect.runSync(Scope.make())
  const system: ActorSystemService = await Effect.runPromise(Scope.extend(ActorSystem.make(), scope))
  const one = await Effect.runPromise(system.spawn(counter("one")))
  const many: Array<ActorRef<CounterMsg>> = []
  for (let i = 0; i < 100; i++) many.push(await Effect.runPromise(system.spawn(counter(`fan-${i}`))))

  const raw = rawConsumer(scope)
  const rawMany = Array.from({ length: 100 }, () => rawConsumer(scope))
  const server = rawServer(scope)

  // Baseline and kernel are measured alternately, best of ROUNDS each, so a burst of load from other
  // processes on the machine does not land on one side only.
  const ROUNDS = 3
  const compare = async (name: string, batch: number, baseline: () => Promise<void>, actor: () => Promise<void>): Promise<number> => {
    let base = 0
    let value = 0
    for (let r = 0; r < ROUNDS; r++) {
      const warmupMs = r === 0 ? 200 : 20
      base = Math.max(base, await opsPerSecond(baseline, { batch, ms: ms / ROUNDS, warmupMs }))
      value = Math.max(value, await opsPerSecond(actor, { batch, ms: ms / ROUNDS, warmupMs }))
    }
    reportRatio(name, "ops/s", value, base)
    return base
  }

  const TELL_BATCH = 50_000
  const tellBase = await compare(
    "actors.tell",
    TELL_BATCH,
    () => run_(rawTells([raw], TELL_BATCH)),
    () => run_(actorTells([one], TELL_BATCH)),
  )

  // unsafeTell from plain code; when the mailbox is full, wait for the actor to drain it (one ask).
  const unsafeTells = (n: number): Effect.Effect<void, unknown> =>
    Effect.suspend(() => {
      let sent = 0
      const more = (): Effect.Effect<void, unknown> => {
        while (sent < n && one.unsafeTell(ONE)) sent++
        return sent < n ? Effect.flatMap(one.ask(GET), more) : Effect.asVoid(one.ask(GET))
      }
      return more()
    })
  const unsafeTell = await opsPerSecond(() => run_(unsafeTells(TELL_BATCH)), { batch: TELL_BATCH, ms })
  reportRatio("actors.unsafe_tell", "ops/s", unsafeTell, tellBase)

  const ASK_BATCH = 20_000
  const askBase = await compare(
    "actors.ask",
    ASK_BATCH,
    () => run_(repeat(ASK_BATCH, () => rawAsk(server))),
    () => run_(repeat(ASK_BATCH, () => one.ask(GET))),
  )
  const askTimeout = await opsPerSecond(() => run_(repeat(ASK_BATCH, () => one.ask(GET, "5 seconds"))), {
    batch: ASK_BATCH,
    ms,
  })
  reportRatio("actors.ask_timeout", "ops/s", askTimeout, askBase)

  const FAN_BATCH = 100_000
  await compare(
    "actors.fanout",
    FAN_BATCH,
    () => run_(rawTells(rawMany, FAN_BATCH)),
    () => run_(actorTells(many, FAN_BATCH)),
  )

  await Effect.runPromise(Scope.close(scope, Exit.void))
}
