import { describe, expect, test } from "bun:test"
import { Context, Effect, Exit, Fiber, Layer, Metric, Scope, Supervisor as FiberSupervisor, TestClock } from "effect"
import { ActorMetrics, ActorStopped, ActorSystem, Backoff, Snapshot, Supervisor } from "../../../../../runtime/kernel/index.ts"
import { Add, Boom, Div, Get, probe, quietLogs, runTest, settle, Sleep, waitUntil } from "./fixtures.ts"

class Busy extends Context.Tag("test/Busy")<Busy, unknown>() {}

describe("ActorSystem", () => {
  test("is a Layer: spawn and ask through the service tag", async () => {
    const v = await runTest(
      Effect.gen(function* () {
        const system = yield* ActorSystem.ActorSystem
        const ref = yield* system.spawn(probe("svc"))
        yield* ref.tell(new Add({ n: 7 }))
        return yield* ref.ask(new Get())
      }).pipe(Effect.provide(ActorSystem.layer()), Effect.provide(quietLogs)),
    )
    expect(v).toBe(7)
  })

  test("an actor wired through nested Layers (spawnScoped) stops when its scope closes, the fibers its init forked included", async () => {
    const base = probe("busy", [], { shutdownTimeout: "100 millis" })
    // Like a consensus actor's feed loop: a fiber forked in init that only an interrupt ends.
    const busy = {
      ...base,
      behavior: {
        ...base.behavior,
        init: (ctx: Parameters<typeof base.behavior.init>[0]) => Effect.zipLeft(base.behavior.init(ctx), Effect.forkScoped(Effect.never)),
      },
    }
    // A close that hangs on the forked fiber fails the timeout (TimeoutException), and so the test.
    await Effect.runPromise(
      Effect.gen(function* () {
        const scope = yield* Scope.make()
        // As the node wires it: the actor's Layer built while an outer Layer is being built.
        const inner = Layer.scoped(Busy, ActorSystem.spawnScoped(busy))
        const outer = Layer.scopedDiscard(Effect.asVoid(Layer.build(inner)))
        yield* Scope.extend(Layer.build(outer), scope)
        yield* Scope.close(scope, Exit.void).pipe(Effect.timeout("5 seconds"))
      }).pipe(Effect.scoped, Effect.provide(ActorSystem.layer()), Effect.provide(quietLogs)),
    )
  })

  test("shutdown stops children in reverse start order (nested), then refuses messages", async () => {
    const log: Array<string> = []
    const out = await runTest(
      Effect.gen(function* () {
        const scope = yield* Scope.make()
        const system = yield* Scope.extend(ActorSystem.make(), scope)
        const a = yield* system.spawn(probe("a", log))
        yield* system.spawnSupervisor(Supervisor.make("s", { children: [probe("x", log), probe("y", log)] }))
        yield* system.spawn(probe("b", log))
        yield* a.ask(new Get())
        yield* waitUntil(() => log.length === 4)
        yield* Scope.close(scope, Exit.void)
        const after = yield* Effect.flip(a.ask(new Get()))
        const snap = yield* system.snapshot
        return { after, statuses: Snapshot.flatten(snap).map((n) => n.status), fibers: system.liveFibers() }
      }).pipe(Effect.provide(quietLogs)),
    )
    expect(log).toEqual(["a:init", "x:init", "y:init", "b:init", "b:terminate", "y:terminate", "x:terminate", "a:terminate"])
    expect(out.after).toBeInstanceOf(ActorStopped)
    expect(new Set(out.statuses)).toEqual(new Set(["stopped"]))
    expect(out.fibers).toBe(0)
  })

  test("a child that overruns its shutdown deadline is interrupted; its asker gets ActorStopped", async () => {
    const log: Array<string> = []
    const out = await runTest(
      Effect.gen(function* () {
        const scope = yield* Scope.make()
        const system = yield* Scope.extend(ActorSystem.make(), scope)
        const slow = yield* system.spawn(probe("slow", log, { shutdownTimeout: "100 millis" }))
        const queued = yield* system.spawn(probe("q", log))
        const busy = yield* Effect.fork(slow.ask(new Sleep({ millis: 60_000 })))
        const pending = yield* Effect.fork(slow.ask(new Get()))
        yield* settle
        const closing = yield* Effect.fork(Scope.close(scope, Exit.void))
        yield* settle
        const closedEarly = (yield* Fiber.poll(closing))._tag === "Some"
        yield* TestClock.adjust("100 millis")
        yield* Fiber.join(closing)
        return {
          closedEarly,
          busy: yield* Fiber.await(busy),
          pending: yield* Fiber.await(pending),
          fibers: system.liveFibers(),
          queuedAfter: yield* Effect.either(queued.ask(new Get())),
        }
      }).pipe(Effect.provide(quietLogs)),
    )
    expect(out.closedEarly).toBe(false)
    const errorOf = (exit: Exit.Exit<unknown, unknown>) => (Exit.isFailure(exit) && exit.cause._tag === "Fail" ? exit.cause.error : undefined)
    expect(errorOf(out.busy)).toBeInstanceOf(ActorStopped)
    expect(errorOf(out.pending)).toBeInstanceOf(ActorStopped)
    expect(log).toEqual(["slow:init", "q:init", "q:terminate", "slow:terminate"])
    expect(out.fibers).toBe(0)
    expect(out.queuedAfter._tag).toBe("Left")
  })

  test("no fiber is left running after shutdown (checked with an Effect fiber Supervisor)", async () => {
    const out = await runTest(
      Effect.gen(function* () {
        const tracker = yield* FiberSupervisor.track
        const during = yield* Effect.supervised(
          Effect.scoped(
            Effect.gen(function* () {
              const system = yield* ActorSystem.make()
              yield* system.spawnSupervisor(Supervisor.make("s", { strategy: "one-for-all", children: [probe("a"), probe("b")] }))
              const refs = yield* Effect.forEach(
                Array.from({ length: 10 }, (_, i) => i),
                (i) => system.spawn(probe(`p${i}`, [], { backoff: Backoff.immediate })),
              )
              yield* Effect.forEach(refs, (ref) => ref.ask(new Get(), "1 second"))
              yield* Effect.forEach(refs, (ref) => Effect.either(ref.ask(new Boom())))
              yield* Effect.forEach(refs, (ref) => ref.ask(new Get()))
              return (yield* tracker.value).length
            }),
          ),
          tracker,
        )
        yield* settle
        const after = (yield* tracker.value).filter((fiber) => fiber.unsafePoll() === null)
        return { during, after: after.length }
      }).pipe(Effect.provide(quietLogs)),
    )
    expect(out.during).toBeGreaterThan(12)
    expect(out.after).toBe(0)
  })

  test("snapshot: JSON-serializable tree with mailbox, counters, restarts and last failure", async () => {
    const snap = await runTest(
      Effect.gen(function* () {
        const system = yield* ActorSystem.ActorSystem
        yield* system.spawnSupervisor(Supervisor.make("store", { children: [probe("db", [], { mailbox: { capacity: 64 } })] }))
        const db = yield* system.lookup("/root/store/db", yield* Effect.succeed(probe("x").protocol))
        for (let i = 0; i < 5; i++) yield* db.tell(new Add({ n: 1 }))
        yield* Effect.either(db.ask(new Div({ by: 0 })))
        yield* Effect.either(db.ask(new Boom()))
        yield* TestClock.adjust("1 second")
        yield* db.ask(new Get())
        return JSON.parse(JSON.stringify(yield* system.snapshot)) as unknown
      }).pipe(Effect.provide(ActorSystem.layer()), Effect.provide(quietLogs)),
    )
    expect(snap).toMatchObject({
      path: "/root",
      type: "supervisor",
      status: "running",
      mailbox: null,
      children: [
        {
          path: "/root/store",
          type: "supervisor",
          kind: "permanent",
          children: [
            {
              path: "/root/store/db",
              type: "actor",
              status: "running",
              mailbox: { depth: 0, capacity: 64 },
              processed: 7, // 5 Add + Div(0) (declared failure) + Get; the Boom crash is counted as failed only
              failed: 2,
              restarts: 1,
              children: [],
            },
          ],
        },
      ],
    })
    const db = Snapshot.find(snap as Parameters<typeof Snapshot.find>[0], "/root/store/db")
    expect(db?.lastFailure).toContain("db boom")
  })

  test("the same counters are Effect Metrics tagged with the actor path", async () => {
    const out = await runTest(
      Effect.gen(function* () {
        const system = yield* ActorSystem.ActorSystem
        const ref = yield* system.spawn(probe("metered"))
        for (let i = 0; i < 10; i++) yield* ref.tell(new Add({ n: 1 }))
        yield* Effect.either(ref.ask(new Div({ by: 0 })))
        yield* Effect.either(ref.ask(new Boom()))
        yield* TestClock.adjust("1 second")
        yield* ref.ask(new Get())
        yield* system.flushMetrics
        const path = "/root/metered"
        return {
          processed: (yield* Metric.value(Metric.tagged(ActorMetrics.processedTotal, "path", path))).count,
          failed: (yield* Metric.value(Metric.tagged(ActorMetrics.failedTotal, "path", path))).count,
          restarts: (yield* Metric.value(Metric.tagged(ActorMetrics.restartsTotal, "path", path))).count,
          depth: (yield* Metric.value(Metric.tagged(ActorMetrics.mailboxDepth, "path", path))).value,
          snap: Snapshot.find(yield* system.snapshot, "/root/metered"),
        }
      }).pipe(Effect.provide(ActorSystem.layer()), Effect.provide(quietLogs)),
    )
    expect(out.processed).toBe(12)
    expect(out.failed).toBe(2)
    expect(out.restarts).toBe(1)
    expect(out.depth).toBe(0)
    expect(out.snap).toMatchObject({ processed: out.processed, failed: out.failed, restarts: out.restarts })
  })
})
