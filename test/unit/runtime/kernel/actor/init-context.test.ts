// `init` gets the actor's context (self, path, parent, stop): an actor arms its own timers and tells
// itself from init, with no "start" message from whoever spawned it, and keeps doing so across restarts.
import { expect, test } from "bun:test"
import { Effect, Schema, TestClock } from "effect"
import { Actor, Backoff, Protocol } from "../../../../../runtime/kernel/index.ts"
import type { ActorContext, ActorRef, SupervisorRef } from "../../../../../runtime/kernel/index.ts"
import { runTest, settle, waitUntil, withSystem } from "./fixtures.ts"

class Hello extends Schema.TaggedClass<Hello>()("Hello", { incarnation: Schema.Number }) {}
class Tick extends Schema.TaggedClass<Tick>()("Tick", { incarnation: Schema.Number }) {}
class Echo extends Schema.TaggedClass<Echo>()("Echo", { times: Schema.Number }) {}
class Crash extends Schema.TaggedClass<Crash>()("Crash", {}) {}
class Log extends Schema.TaggedRequest<Log>()("Log", { payload: {}, success: Schema.Array(Schema.String), failure: Schema.Never }) {}
const Self = Protocol.make("Self", Hello, Tick, Echo, Crash, Log)
type SelfMsg = Schema.Schema.Type<typeof Self.schema>

interface Seen {
  /** Messages handled, over all incarnations. */
  readonly log: Array<string>
  /** The context each incarnation's init got. */
  readonly contexts: Array<ActorContext<SelfMsg>>
}

/** Tells itself Hello from init and arms a 1 s timer that tells it Tick (in the incarnation's scope). */
const ticker = (seen: Seen, options: { readonly hellos?: number; readonly capacity?: number } = {}) =>
  Actor.make(
    "ticker",
    Self,
    {
      init: (ctx) =>
        Effect.gen(function* () {
          seen.contexts.push(ctx)
          const incarnation = seen.contexts.length
          for (let i = 0; i < (options.hellos ?? 1); i++) yield* ctx.self.tell(new Hello({ incarnation }))
          yield* Effect.sleep("1 second").pipe(Effect.zipRight(ctx.self.tell(new Tick({ incarnation }))), Effect.forkScoped)
          return incarnation
        }),
      handlers: {
        Hello: (n, m) => Effect.sync(() => (seen.log.push(`hello:${m.incarnation}@${n}`), n)),
        Tick: (n, m) => Effect.sync(() => (seen.log.push(`tick:${m.incarnation}@${n}`), n)),
        // Tells itself from a handler, more often than the mailbox holds.
        Echo: (n, m, ctx) =>
          Effect.as(
            Effect.forEach(
              Array.from({ length: m.times }, (_, i) => i),
              (i) => ctx.self.tell(new Hello({ incarnation: -i - 1 })),
              { discard: true },
            ),
            n,
          ),
        Crash: () => Effect.die(new Error("crash")),
        Log: (n) => Effect.succeed([n, [...seen.log]] as const),
      },
    },
    {
      backoff: Backoff.immediate,
      mailbox: { capacity: options.capacity ?? 1024, overflow: "backpressure" },
    },
  )

test("init gets self, path and parent; its self-tells and its timer's tells arrive", () =>
  runTest(
    withSystem((system) =>
      Effect.gen(function* () {
        const seen: Seen = { log: [], contexts: [] }
        const ref: ActorRef<SelfMsg> = yield* system.spawn(ticker(seen))
        // A spawn right after the system starts may return before the root has started the child.
        yield* waitUntil(() => seen.contexts.length === 1)
        const ctx = seen.contexts[0] as ActorContext<SelfMsg>
        expect(ctx.self).toBe(ref)
        expect(ctx.path).toBe("/root/ticker")
        const parent: SupervisorRef = ctx.parent
        expect(parent.path).toBe("/root")
        expect(yield* ref.ask(new Log())).toEqual(["hello:1@1"])
        yield* TestClock.adjust("1 second")
        yield* waitUntil(() => seen.log.length === 2)
        expect(yield* ref.ask(new Log())).toEqual(["hello:1@1", "tick:1@1"])
      }),
    ),
  ))

test("after a crash the new incarnation's init gets the same self; its tells arrive, the old timer is gone", () =>
  runTest(
    withSystem((system) =>
      Effect.gen(function* () {
        const seen: Seen = { log: [], contexts: [] }
        const ref = yield* system.spawn(ticker(seen))
        yield* waitUntil(() => seen.log.length === 1)
        yield* ref.tell(new Crash())
        yield* waitUntil(() => seen.contexts.length === 2)
        const [first, second] = seen.contexts as [ActorContext<SelfMsg>, ActorContext<SelfMsg>]
        expect(second.self).toBe(first.self)
        expect(second.self).toBe(ref)
        expect(second.path).toBe(first.path)
        expect(second.parent).toBe(first.parent)
        yield* TestClock.adjust("1 second")
        yield* waitUntil(() => seen.log.includes("tick:2@2"))
        yield* settle
        // The first incarnation's timer died with its scope: only the second one's Tick arrives.
        expect(yield* ref.ask(new Log())).toEqual(["hello:1@1", "hello:2@2", "tick:2@2"])
        const snapshot = yield* system.snapshot
        expect(snapshot.children[0]?.restarts).toBe(1)
      }),
    ),
  ))

test("telling self more than the mailbox holds (from init or a handler) does not deadlock", () =>
  runTest(
    withSystem((system) =>
      Effect.gen(function* () {
        const seen: Seen = { log: [], contexts: [] }
        // Capacity 2, backpressure: the third tell from init would wait for room only this actor makes.
        const ref = yield* system.spawn(ticker(seen, { hellos: 5, capacity: 2 }))
        yield* ref.tell(new Echo({ times: 4 }))
        yield* waitUntil(() => seen.log.length === 9)
        expect(yield* ref.ask(new Log())).toEqual([
          ...Array.from({ length: 5 }, () => "hello:1@1"),
          ...Array.from({ length: 4 }, (_, i) => `hello:${-i - 1}@1`),
        ])
      }),
    ),
  ))

test("ctx.stop from init ends the incarnation before any message (a transient actor stays down)", () =>
  runTest(
    withSystem((system) =>
      Effect.gen(function* () {
        const handled: Array<string> = []
        const quitter = Actor.make(
          "quitter",
          Self,
          {
            init: (ctx) => Effect.as(Effect.zipRight(ctx.self.tell(new Hello({ incarnation: 1 })), ctx.stop), 0),
            handlers: {
              Hello: (n) => Effect.sync(() => (handled.push("hello"), n)),
              Tick: (n) => Effect.succeed(n),
              Echo: (n) => Effect.succeed(n),
              Crash: (n) => Effect.succeed(n),
              Log: (n) => Effect.succeed([n, handled] as const),
            },
          },
          { kind: "transient" },
        )
        yield* system.spawn(quitter)
        yield* settle
        const snapshot = yield* system.snapshot
        expect(snapshot.children.map((c) => c.path)).not.toContain("/root/quitter")
        expect(handled).toEqual([])
      }),
    ),
  ))
