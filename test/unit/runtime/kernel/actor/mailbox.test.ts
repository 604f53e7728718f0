import { describe, expect, test } from "bun:test"
import { Effect, Exit, Fiber, TestClock } from "effect"
import { ActorMailbox, MailboxFull, Snapshot } from "../../../../../runtime/kernel/index.ts"
import { Add, Get, probe, runTest, settle, Sleep, withSystem } from "./fixtures.ts"

describe("ActorMailbox (unit)", () => {
  test("FIFO across ring growth and wrap-around; close drains everything", () => {
    const evicted: Array<number> = []
    const box = new ActorMailbox<number>(100, "reject", (n) => evicted.push(n))
    const out: Array<number> = []
    for (let round = 0; round < 5; round++) {
      for (let i = 0; i < 37; i++) expect(box.unsafeOffer(round * 100 + i)).toBe(0)
      for (let i = 0; i < 30; i++) out.push(box.poll() as number)
    }
    expect(box.depth).toBe(5 * 7)
    const rest = box.close()
    const all = [...out, ...rest]
    const expected: Array<number> = []
    for (let round = 0; round < 5; round++) for (let i = 0; i < 37; i++) expected.push(round * 100 + i)
    expect(all).toEqual(expected)
    expect(box.unsafeOffer(1)).toBe(2) // closed
    expect(evicted).toEqual([])
  })

  test("reject refuses at capacity; drop-oldest evicts the oldest", () => {
    const reject = new ActorMailbox<number>(2, "reject", () => {})
    expect([reject.unsafeOffer(1), reject.unsafeOffer(2), reject.unsafeOffer(3)]).toEqual([0, 0, 1])
    const evicted: Array<number> = []
    const slide = new ActorMailbox<number>(2, "drop-oldest", (n) => evicted.push(n))
    for (const n of [1, 2, 3, 4]) slide.unsafeOffer(n)
    expect(evicted).toEqual([1, 2])
    expect([slide.poll(), slide.poll(), slide.poll()]).toEqual([3, 4, undefined])
  })

  test("invalid capacity is refused", () => {
    expect(() => new ActorMailbox<number>(0, "reject", () => {})).toThrow()
    expect(() => new ActorMailbox<number>(Infinity, "reject", () => {})).toThrow()
  })
})

describe("overflow policies through an actor", () => {
  // The actor is kept busy by a Sleep ask so the mailbox fills up.
  test("backpressure: senders suspend until there is room, nothing is lost", async () => {
    const out = await runTest(
      withSystem((system) =>
        Effect.gen(function* () {
          const ref = yield* system.spawn(probe("bp", [], { mailbox: { capacity: 2, overflow: "backpressure" } }))
          const busy = yield* Effect.fork(ref.ask(new Sleep({ millis: 1000 })))
          yield* settle // the actor has taken Sleep and is busy
          const sender = yield* Effect.fork(Effect.forEach([1, 2, 3, 4], (n) => ref.tell(new Add({ n })), { discard: true }))
          yield* Effect.repeatN(Effect.yieldNow(), 10)
          const blocked = yield* Fiber.poll(sender)
          const depth = Snapshot.find(yield* system.snapshot, "/root/bp")?.mailbox?.depth
          yield* TestClock.adjust("1 second")
          yield* Fiber.join(busy)
          yield* Fiber.join(sender)
          return { blocked, depth, sum: yield* ref.ask(new Get()) }
        }),
      ),
    )
    expect(out.blocked._tag).toBe("None")
    expect(out.depth).toBe(3) // 2 queued + 1 suspended sender
    expect(out.sum).toBe(10)
  })

  test("drop-oldest: the oldest message is evicted; an evicted ask fails with MailboxFull", async () => {
    const out = await runTest(
      withSystem((system) =>
        Effect.gen(function* () {
          const ref = yield* system.spawn(probe("slide", [], { mailbox: { capacity: 2, overflow: "drop-oldest" } }))
          const busy = yield* Effect.fork(ref.ask(new Sleep({ millis: 1000 })))
          yield* settle // the actor has taken Sleep and is busy
          const evictedAsk = yield* Effect.fork(ref.ask(new Get()))
          yield* Effect.yieldNow()
          for (const n of [1, 2, 4]) yield* ref.tell(new Add({ n })) // evicts Get, then Add(1)
          const askExit = yield* Fiber.await(evictedAsk)
          yield* TestClock.adjust("1 second")
          yield* Fiber.join(busy)
          const sum = yield* ref.ask(new Get())
          return { askExit, sum, snap: Snapshot.find(yield* system.snapshot, "/root/slide") }
        }),
      ),
    )
    expect(Exit.isFailure(out.askExit)).toBe(true)
    expect(Exit.isFailure(out.askExit) && out.askExit.cause._tag === "Fail" ? out.askExit.cause.error : null).toBeInstanceOf(MailboxFull)
    expect(out.sum).toBe(6)
    expect(out.snap?.deadLetters).toBe(2)
  })

  test("reject: a full mailbox fails tell and ask with MailboxFull; unsafeTell returns false", async () => {
    const out = await runTest(
      withSystem((system) =>
        Effect.gen(function* () {
          const ref = yield* system.spawn(probe("rej", [], { mailbox: { capacity: 2, overflow: "reject" } }))
          const busy = yield* Effect.fork(ref.ask(new Sleep({ millis: 1000 })))
          yield* settle // the actor has taken Sleep and is busy
          yield* ref.tell(new Add({ n: 1 }))
          yield* ref.tell(new Add({ n: 2 }))
          const tellError = yield* Effect.flip(ref.tell(new Add({ n: 4 })))
          const askError = yield* Effect.flip(ref.ask(new Get()))
          const unsafe = ref.unsafeTell(new Add({ n: 8 }))
          yield* TestClock.adjust("1 second")
          yield* Fiber.join(busy)
          return { tellError, askError, unsafe, sum: yield* ref.ask(new Get()) }
        }),
      ),
    )
    expect(out.tellError).toBeInstanceOf(MailboxFull)
    expect(out.tellError).toMatchObject({ path: "/root/rej", capacity: 2 })
    expect(out.askError).toBeInstanceOf(MailboxFull)
    expect(out.unsafe).toBe(false)
    expect(out.sum).toBe(3)
  })
})
