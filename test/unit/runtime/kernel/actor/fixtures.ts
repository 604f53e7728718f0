// Shared test protocol, a configurable "probe" actor and helpers for the actor kernel tests.
import { Effect, Layer, Logger, LogLevel, Schema, TestContext } from "effect"
import type { Scope } from "effect"
import { Actor, ActorSystem, Protocol } from "../../../../../runtime/kernel/index.ts"
import type { ActorOptions } from "../../../../../runtime/kernel/actor/actor.ts"
import type { ActorSystemConfig, ActorSystemService } from "../../../../../runtime/kernel/index.ts"

export class Add extends Schema.TaggedClass<Add>()("Add", { n: Schema.Number }) {}
export class Put extends Schema.TaggedClass<Put>()("Put", { from: Schema.String, seq: Schema.Number }) {}
export class Crash extends Schema.TaggedClass<Crash>()("Crash", {}) {}
export class Stop extends Schema.TaggedClass<Stop>()("Stop", {}) {}
export class Get extends Schema.TaggedRequest<Get>()("Get", { payload: {}, success: Schema.Number, failure: Schema.Never }) {}
export class Seen extends Schema.TaggedRequest<Seen>()("Seen", {
  payload: {},
  success: Schema.Array(Schema.String),
  failure: Schema.Never,
}) {}
export class Div extends Schema.TaggedRequest<Div>()("Div", {
  payload: { by: Schema.Number },
  success: Schema.Number,
  failure: Schema.String,
}) {}
export class Boom extends Schema.TaggedRequest<Boom>()("Boom", { payload: {}, success: Schema.Number, failure: Schema.Never }) {}
export class Sleep extends Schema.TaggedRequest<Sleep>()("Sleep", {
  payload: { millis: Schema.Number },
  success: Schema.Number,
  failure: Schema.Never,
}) {}

export const Probe = Protocol.make("Probe", Add, Put, Crash, Stop, Get, Seen, Div, Boom, Sleep)

interface ProbeState {
  readonly n: number
  readonly seen: ReadonlyArray<string>
}

/**
 * A probe actor: counts (Add/Get), records Put order (Seen), crashes on Crash/Boom, fails Div(0)
 * with a declared failure, sleeps on Sleep, stops itself on Stop. Lifecycle events go to `log`.
 */
export const probe = (
  name: string,
  log: Array<string> = [],
  options: ActorOptions = {},
  hooks: { readonly initDelayMillis?: number; readonly terminateDelayMillis?: number } = {},
) =>
  Actor.make(
    name,
    Probe,
    {
      init: () =>
        Effect.sync(() => {
          log.push(`${name}:init`)
          return { n: 0, seen: [] } as ProbeState
        }).pipe(Effect.delay(hooks.initDelayMillis ?? 0)),
      handlers: {
        Add: (s, m) => Effect.succeed({ ...s, n: s.n + m.n }),
        Put: (s, m) => Effect.succeed({ ...s, seen: [...s.seen, `${m.from}:${m.seq}`] }),
        Crash: () => Effect.die(new Error(`${name} crash`)),
        Stop: (s, _m, ctx) => Effect.as(ctx.stop, s),
        Get: (s) => Effect.succeed([s, s.n] as const),
        Seen: (s) => Effect.succeed([s, s.seen] as const),
        Div: (s, m) => (m.by === 0 ? Effect.fail("div by zero") : Effect.succeed([{ ...s, n: s.n / m.by }, s.n / m.by] as const)),
        Boom: () => Effect.die(new Error(`${name} boom`)),
        Sleep: (s, m) => Effect.as(Effect.sleep(m.millis), [s, s.n] as const),
      },
      terminate: () =>
        Effect.sync(() => {
          log.push(`${name}:terminate`)
        }).pipe(Effect.delay(hooks.terminateDelayMillis ?? 0)),
    },
    options,
  )

export const quietLogs = process.env["QUILBUN_TEST_LOGS"] ? Layer.empty : Logger.minimumLogLevel(LogLevel.None)

/** Run `f` with a fresh actor system (closed afterwards), logs silenced unless QUILBUN_TEST_LOGS is set. */
export const withSystem = <A, E>(f: (system: ActorSystemService) => Effect.Effect<A, E, Scope.Scope>, config: ActorSystemConfig = {}): Effect.Effect<A, E> =>
  Effect.scoped(Effect.flatMap(ActorSystem.make(config), f)).pipe(Effect.provide(quietLogs))

/** Run an effect under TestClock (deterministic time) as a promise. */
export const runTest = <A, E>(effect: Effect.Effect<A, E>): Promise<A> => Effect.runPromise(Effect.provide(effect, TestContext.TestContext))

/** Let other fibers run (a few scheduler turns). */
export const settle = Effect.repeatN(Effect.yieldNow(), 20)

/** Yield until `check` holds (no clock time passes); fails after `turns` scheduler turns. */
export const waitUntil = (check: () => boolean, turns = 500): Effect.Effect<void, Error> =>
  Effect.suspend(() => {
    let left = turns
    const loop: Effect.Effect<void, Error> = Effect.suspend(() =>
      check() ? Effect.void : left-- <= 0 ? Effect.fail(new Error("waitUntil: condition never held")) : Effect.zipRight(Effect.yieldNow(), loop),
    )
    return loop
  })
