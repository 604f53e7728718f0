// runtime/kernel/transport/in-memory.ts: delivery on the Clock, partitions, crashes, faults, request/response.
import { describe, expect, test } from "bun:test"
import { Effect, Exit, Scope, TestClock, TestContext } from "effect"
import { makeInMemoryNetwork } from "../../runtime/kernel/transport/in-memory.ts"
import { seededRandom } from "../../runtime/kernel/transport/seeded-random.ts"
import type { InboundMessage } from "../../runtime/kernel/transport/transport.ts"

const MASK = new Uint8Array(1)
const run = <A>(e: Effect.Effect<A, unknown, Scope.Scope>) => Effect.runPromise(e.pipe(Effect.scoped, Effect.provide(TestContext.TestContext)))

const setup = (seed: number, faults = {}) =>
  Effect.gen(function* () {
    const net = yield* makeInMemoryNetwork({ seed, faults })
    const inbox = new Map<string, Array<InboundMessage>>()
    const eps = []
    for (const id of ["a", "b", "c"]) {
      const ep = yield* net.endpoint(id)
      inbox.set(id, [])
      yield* ep.subscribe(MASK, (m) => inbox.get(id)?.push(m))
      eps.push(ep)
    }
    return { net, inbox, eps }
  })

describe("in-memory transport", () => {
  test("publish reaches every other subscriber after a delay on the Clock", () =>
    run(
      Effect.gen(function* () {
        const { inbox, eps } = yield* setup(1, { minDelayMs: 5, maxDelayMs: 5 })
        yield* eps[0]!.publish(MASK, Uint8Array.of(1, 2))
        expect(inbox.get("b")).toEqual([])
        yield* TestClock.adjust(5)
        expect(inbox.get("b")?.map((m) => [m.from, [...m.data]])).toEqual([["a", [1, 2]]])
        expect(inbox.get("c")?.length).toBe(1)
        expect(inbox.get("a")?.length).toBe(0)
      }),
    ))

  test("partitions and crashed endpoints cut delivery, also for messages in flight", () =>
    run(
      Effect.gen(function* () {
        const { net, inbox, eps } = yield* setup(2, { minDelayMs: 10, maxDelayMs: 10 })
        net.partition([["a", "b"], ["c"]])
        yield* eps[0]!.publish(MASK, Uint8Array.of(1))
        yield* TestClock.adjust(10)
        expect(inbox.get("b")?.length).toBe(1)
        expect(inbox.get("c")?.length).toBe(0)
        net.heal()
        yield* eps[0]!.publish(MASK, Uint8Array.of(2))
        net.partition([["a"], ["b", "c"]]) // cut while in flight
        yield* TestClock.adjust(10)
        expect(inbox.get("b")?.length).toBe(1)
        net.heal()
        const scope = yield* Scope.make()
        const d = yield* Scope.extend(net.endpoint("d"), scope)
        const got: Array<InboundMessage> = []
        yield* Scope.extend(
          d.subscribe(MASK, (m) => got.push(m)),
          scope,
        )
        yield* eps[0]!.publish(MASK, Uint8Array.of(3))
        yield* Scope.close(scope, Exit.void) // d crashes before delivery
        yield* TestClock.adjust(10)
        expect(got).toEqual([])
        expect(net.attached()).toEqual(["a", "b", "c"])
        expect(net.stats().dropped).toBeGreaterThanOrEqual(3)
      }),
    ))

  test("drop and duplicate faults, interception, and request/response", () =>
    run(
      Effect.gen(function* () {
        const { net, inbox, eps } = yield* setup(3, { minDelayMs: 1, maxDelayMs: 1, duplicateRate: 1 })
        yield* eps[0]!.publish(MASK, Uint8Array.of(1))
        yield* TestClock.adjust(1)
        expect(inbox.get("b")?.length).toBe(2)
        net.setFaults({ duplicateRate: 0, dropRate: 1 })
        yield* eps[0]!.publish(MASK, Uint8Array.of(2))
        yield* TestClock.adjust(1)
        expect(inbox.get("b")?.length).toBe(2)
        net.setFaults({ dropRate: 0 })
        net.intercept((m) => (m.to === "b" ? [] : [m.data, m.data]))
        yield* eps[0]!.publish(MASK, Uint8Array.of(3))
        yield* TestClock.adjust(1)
        expect(inbox.get("b")?.length).toBe(2)
        expect(inbox.get("c")?.length).toBe(2 + 2)
        net.intercept(undefined)
        yield* eps[1]!.serve("echo", (from, data) => Effect.succeed(Uint8Array.of(...data, from.charCodeAt(0))))
        const fiber = yield* Effect.fork(eps[0]!.request("b", "echo", Uint8Array.of(7)))
        yield* TestClock.adjust(2)
        const reply = yield* fiber
        expect([...reply]).toEqual([7, "a".charCodeAt(0)])
        const missing = yield* Effect.flip(
          eps[0]!.request("c", "echo", Uint8Array.of(7)).pipe(
            Effect.fork,
            Effect.flatMap((f) => Effect.zipRight(TestClock.adjust(2), f)),
          ),
        )
        expect(missing.reason).toBe("no-handler")
        net.partition([["a"], ["b", "c"]])
        const cut = yield* Effect.flip(eps[0]!.request("b", "echo", Uint8Array.of(7)))
        expect(cut.reason).toBe("unreachable")
      }),
    ))

  test("the seeded generator replays exactly and differs across seeds", () => {
    const draw = (seed: number) => {
      const r = seededRandom(seed)
      return Array.from({ length: 8 }, () => r.int(0, 1000))
    }
    expect(draw(9)).toEqual(draw(9))
    expect(draw(9)).not.toEqual(draw(10))
    const r = seededRandom(1)
    for (let i = 0; i < 1000; i++) {
      const x = r.next()
      expect(x >= 0 && x < 1).toBe(true)
    }
  })
})
