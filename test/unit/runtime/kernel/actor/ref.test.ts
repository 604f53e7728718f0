import { describe, expect, test } from "bun:test"
import { Cause, Effect, Exit, Fiber, Option, Schema, TestClock } from "effect"
import { ActorRestarted, ActorStopped, ActorUnreachable, AskTimeout } from "../../../../../runtime/kernel/index.ts"
import { Add, Boom, Div, Get, Probe, probe, Put, Seen, settle, Sleep, runTest, withSystem } from "./fixtures.ts"

describe("ActorRef", () => {
  test("tell then ask sees the tells; ask replies are typed", async () => {
    const v = await runTest(
      withSystem((system) =>
        Effect.gen(function* () {
          const ref = yield* system.spawn(probe("counter"))
          expect(ref.path).toBe("/root/counter")
          yield* ref.tell(new Add({ n: 2 }))
          yield* ref.tell(new Add({ n: 3 }))
          return yield* ref.ask(new Get(), "1 second")
        }),
      ),
    )
    expect(v).toBe(5)
  })

  test("per-sender ordering holds with many concurrent senders", async () => {
    const seen = await runTest(
      withSystem((system) =>
        Effect.gen(function* () {
          const ref = yield* system.spawn(probe("order", [], { mailbox: { capacity: 8 } }))
          const senders = ["a", "b", "c", "d"]
          yield* Effect.forEach(
            senders,
            (from) =>
              Effect.forEach(
                Array.from({ length: 200 }, (_, i) => i),
                (seq) => ref.tell(new Put({ from, seq })),
              ),
            { concurrency: "unbounded", discard: true },
          )
          return yield* ref.ask(new Seen())
        }),
      ),
    )
    expect(seen.length).toBe(800)
    for (const from of ["a", "b", "c", "d"]) {
      const seqs = seen.filter((s) => s.startsWith(`${from}:`)).map((s) => Number(s.split(":")[1]))
      expect(seqs).toEqual(Array.from({ length: 200 }, (_, i) => i))
    }
  })

  test("a declared failure goes to the asker and the actor keeps its state", async () => {
    const out = await runTest(
      withSystem((system) =>
        Effect.gen(function* () {
          const ref = yield* system.spawn(probe("div"))
          yield* ref.tell(new Add({ n: 8 }))
          const failed = yield* Effect.flip(ref.ask(new Div({ by: 0 })))
          const half = yield* ref.ask(new Div({ by: 2 }))
          const snap = yield* system.snapshot
          return { failed, half, restarts: snap.children[0]?.restarts, failedCount: snap.children[0]?.failed }
        }),
      ),
    )
    expect(out).toEqual({ failed: "div by zero", half: 4, restarts: 0, failedCount: 1 })
  })

  test("a defect answers the asker with ActorRestarted and is not redelivered", async () => {
    const out = await runTest(
      withSystem((system) =>
        Effect.gen(function* () {
          const log: Array<string> = []
          const ref = yield* system.spawn(probe("boom", log, { backoff: undefined }))
          yield* ref.tell(new Add({ n: 1 }))
          const boom = ref.ask(new Boom())
          const fiber = yield* Effect.fork(boom)
          yield* Effect.yieldNow() // Boom is enqueued before the next tell
          yield* ref.tell(new Add({ n: 10 })) // queued behind Boom: survives the restart
          yield* TestClock.adjust("1 second") // default backoff
          const error = yield* Effect.flip(Fiber.join(fiber))
          const after = yield* ref.ask(new Get())
          return { error, after, log }
        }),
      ),
    )
    expect(out.error).toBeInstanceOf(ActorRestarted)
    expect((out.error as ActorRestarted).reason).toContain("boom boom")
    expect(out.after).toBe(10) // fresh state from init, queued Add processed once
    expect(out.log).toEqual(["boom:init", "boom:terminate", "boom:init", "boom:terminate"]) // last: shutdown
  })

  test("ask timeout under TestClock: AskTimeout exactly at the deadline, not before", async () => {
    const out = await runTest(
      withSystem((system) =>
        Effect.gen(function* () {
          const ref = yield* system.spawn(probe("slow"))
          const fiber = yield* Effect.fork(ref.ask(new Sleep({ millis: 10_000 }), "100 millis"))
          yield* TestClock.adjust("99 millis")
          const early = yield* Fiber.poll(fiber)
          yield* TestClock.adjust("1 millis")
          const exit = yield* Fiber.await(fiber)
          // A shorter timeout registered later must still fire first (the timer re-arms).
          const f2 = yield* Effect.fork(ref.ask(new Get(), "1 hour"))
          const f3 = yield* Effect.fork(ref.ask(new Get(), "10 millis"))
          yield* TestClock.adjust("10 millis")
          const e3 = yield* Fiber.await(f3)
          const p2 = yield* Fiber.poll(f2)
          yield* TestClock.adjust("10 seconds") // Sleep finishes, queued Gets reply
          const v2 = yield* Fiber.join(f2)
          return { early, exit, e3, p2, v2 }
        }),
      ),
    )
    expect(out.early._tag).toBe("None")
    expect(Exit.isFailure(out.exit)).toBe(true)
    if (Exit.isFailure(out.exit)) {
      const error = out.exit.cause._tag === "Fail" ? out.exit.cause.error : undefined
      expect(error).toBeInstanceOf(AskTimeout)
      expect(error).toMatchObject({ path: "/root/slow", tag: "Sleep", timeoutMillis: 100 })
    }
    expect(Exit.isFailure(out.e3)).toBe(true)
    expect(out.p2._tag).toBe("None")
    expect(out.v2).toBe(0)
  })

  test("asks to a stopped actor fail with ActorStopped; tells are dropped as dead letters", async () => {
    const out = await runTest(
      withSystem((system) =>
        Effect.gen(function* () {
          const ref = yield* system.spawn(probe("gone"))
          yield* system.stop("/root/gone")
          const error = yield* Effect.flip(ref.ask(new Get()))
          yield* ref.tell(new Add({ n: 1 }))
          const accepted = ref.unsafeTell(new Add({ n: 1 }))
          return { error, accepted }
        }),
      ),
    )
    expect(out.error).toBeInstanceOf(ActorStopped)
    expect(out.accepted).toBe(false)
  })

  test("unsafeAsk calls back once with the reply, a declared failure, or ActorStopped; a throwing callback does not crash the actor", async () => {
    const out = await runTest(
      withSystem((system) =>
        Effect.gen(function* () {
          const ref = yield* system.spawn(probe("callback"))
          const unsafeAsk = ref.unsafeAsk
          if (unsafeAsk === undefined) return yield* Effect.die("local refs offer unsafeAsk")
          const viaCallback = <A>(register: (done: (exit: Exit.Exit<A, unknown>) => void) => void) =>
            Effect.async<Exit.Exit<A, unknown>>((resume) => register((exit) => resume(Effect.succeed(exit))))
          yield* ref.tell(new Add({ n: 6 }))
          const reply = yield* viaCallback<number>((done) => unsafeAsk(new Get(), done))
          const failure = yield* viaCallback<number>((done) => unsafeAsk(new Div({ by: 0 }), done))
          unsafeAsk(new Get(), () => {
            throw new Error("buggy caller")
          })
          const afterThrow = yield* ref.ask(new Get())
          const restarts = (yield* system.snapshot).children[0]?.restarts
          yield* system.stop("/root/callback")
          const stopped = yield* viaCallback<number>((done) => unsafeAsk(new Get(), done))
          return { reply, failure, afterThrow, restarts, stopped }
        }),
      ),
    )
    expect(out.reply).toEqual(Exit.succeed(6))
    expect(out.failure).toEqual(Exit.fail("div by zero"))
    expect(out.afterThrow).toBe(6)
    expect(out.restarts).toBe(0)
    const stoppedError = Exit.isFailure(out.stopped) ? Cause.failureOption(out.stopped.cause) : Option.none()
    expect(Option.getOrUndefined(stoppedError)).toBeInstanceOf(ActorStopped)
  })

  test("unsafeTell from plain code is delivered", async () => {
    const v = await runTest(
      withSystem((system) =>
        Effect.gen(function* () {
          const ref = yield* system.spawn(probe("cb"))
          const accepted = [1, 2, 3].map((n) => ref.unsafeTell(new Add({ n })))
          expect(accepted).toEqual([true, true, true])
          yield* settle
          return yield* ref.ask(new Get())
        }),
      ),
    )
    expect(v).toBe(6)
  })
})

describe("Protocol codec (for remote refs)", () => {
  test("messages round-trip through their Schema; unknown input is rejected", async () => {
    const out = await Effect.runPromise(
      Effect.gen(function* () {
        const encoded = yield* Probe.encodeMessage(new Div({ by: 3 }))
        const json = JSON.parse(JSON.stringify(encoded)) as unknown
        const decoded = yield* Probe.decodeMessage(json)
        const bad = yield* Effect.either(Probe.decodeMessage({ _tag: "Nope" }))
        return { json, decoded, bad }
      }),
    )
    expect(out.json).toEqual({ _tag: "Div", by: 3 })
    expect(out.decoded).toBeInstanceOf(Div)
    expect(out.bad._tag).toBe("Left")
    expect([...Probe.tags].sort()).toEqual(["Add", "Boom", "Crash", "Div", "Get", "Put", "Seen", "Sleep", "Stop"])
  })

  test("replies, declared failures and kernel errors round-trip typed", async () => {
    const msg = new Div({ by: 0 })
    const out = await Effect.runPromise(
      Effect.gen(function* () {
        const wire = (u: unknown) => JSON.parse(JSON.stringify(u)) as unknown
        const ok = yield* Probe.decodeReply(msg, wire(yield* Probe.encodeReply(msg, Exit.succeed(2))))
        const declared = yield* Probe.decodeReply(msg, wire(yield* Probe.encodeReply(msg, Exit.fail("div by zero"))))
        const kernel = yield* Probe.decodeReply(msg, wire(yield* Probe.encodeReply(msg, Exit.fail(new ActorStopped({ path: "/root/x" })))))
        const unreachable = yield* Probe.decodeReply(
          msg,
          wire(yield* Probe.encodeReply(msg, Exit.fail(new ActorUnreachable({ path: "/root/x", reason: "worker down" })))),
        )
        const bad = yield* Effect.either(Probe.decodeReply(msg, wire(yield* Probe.encodeReply(new Get(), Exit.succeed(1)))))
        const garbage = yield* Effect.either(Probe.decodeReply(msg, { _tag: "Success", value: "not a number" }))
        return { ok, declared, kernel, unreachable, bad, garbage }
      }),
    )
    expect(out.ok).toEqual(Exit.succeed(2))
    expect(out.declared).toEqual(Exit.fail("div by zero"))
    expect(Exit.isFailure(out.kernel) && out.kernel.cause._tag === "Fail" ? out.kernel.cause.error : undefined).toBeInstanceOf(ActorStopped)
    expect(out.unreachable).toEqual(Exit.fail(new ActorUnreachable({ path: "/root/x", reason: "worker down" })))
    expect(out.bad._tag).toBe("Right") // a number is a valid Div reply too; schema checks shape, not origin
    expect(out.garbage._tag).toBe("Left")
    expect(Schema.is(Probe.schema)(new Get())).toBe(true)
  })
})
