import { describe, expect, test } from "bun:test"
import { Chunk, Effect, Exit, type Scope, Stream } from "effect"
import {
  ControlEvent,
  ControlEventType,
  eventDistributorActor,
  GetDistributorStats,
  GlobalNewHead,
  Halt,
  publish,
  publishAll,
  Resume,
  subscribe,
  Subscribe,
} from "../../../../actors/event-distributor/index.ts"
import { stubGlobalGenesisHeader } from "../../../../actors/consensus/core/frame-production.ts"
import { GlobalFrame } from "../../../../actors/consensus/core/messages/global-frame.ts"
import { ActorSystem } from "../../../../runtime/kernel/index.ts"

const run = <A, E>(body: Effect.Effect<A, E, ActorSystem.ActorSystem | Scope.Scope>): Promise<A> =>
  Effect.runPromise(Effect.scoped(body).pipe(Effect.provide(ActorSystem.layer())) as Effect.Effect<A, E>)

const spawn = Effect.flatMap(ActorSystem.ActorSystem, (system) => system.spawn(eventDistributorActor))

const halt = (text: string) => new Halt({ error: text })
const headEvent = () =>
  new GlobalNewHead({
    frame: new GlobalFrame({ header: stubGlobalGenesisHeader({ timestamp: 1n, difficulty: 1 }), requests: [] }),
    frameId: "00",
    selector: new Uint8Array(32),
    replay: false,
  })

describe("event distributor", () => {
  test("the event types and values of §7.1", () => {
    expect(
      Object.entries(ControlEventType)
        .sort((a, b) => a[1] - b[1])
        .map(([k]) => k),
    ).toEqual([
      "Start",
      "Stop",
      "Halt",
      "Resume",
      "GlobalNewHead",
      "GlobalFork",
      "GlobalEquivocation",
      "AppNewHead",
      "AppFork",
      "AppEquivocation",
      "CoverageHalt",
      "CoverageWarn",
      "CoverageResume",
      "ShardMergeEligible",
      "ShardSplitEligible",
    ])
    expect(ControlEvent.members.length).toBe(15)
  })

  test("every subscriber sees the same total order under concurrent publishers, each publisher's order kept", () =>
    run(
      Effect.gen(function* () {
        const distributor = yield* spawn
        const subs = yield* Effect.forEach(["a", "b", "c"], (id) => subscribe(distributor, { id, capacity: 10_000 }))
        const publishers = 4
        const perPublisher = 60
        yield* Effect.forEach(
          Array.from({ length: publishers }, (_, p) => p),
          (p) =>
            Effect.forEach(
              Array.from({ length: perPublisher }, (_, i) => i),
              (i) =>
                Effect.zipRight(
                  i % 10 === 9 ? publishAll(distributor, [halt(`${p}:${i}:x`), halt(`${p}:${i}:y`)]) : publish(distributor, halt(`${p}:${i}`)),
                  Effect.yieldNow(),
                ),
              { discard: true },
            ),
          { concurrency: "unbounded", discard: true },
        )
        const stats = yield* distributor.ask(new GetDistributorStats())
        const total = publishers * (perPublisher + perPublisher / 10)
        expect(stats.published).toBe(total)
        const seen = yield* Effect.forEach(subs, (s) => s.drain)
        const orders = seen.map((items) => items.map((d) => `${d.sequence}=${d.event._tag === "Halt" ? d.event.error : "?"}`))
        expect(orders[0]?.length).toBe(total)
        expect(orders[1]).toEqual(orders[0]!)
        expect(orders[2]).toEqual(orders[0]!)
        const first = seen[0]!
        expect(first.map((d) => d.sequence)).toEqual(Array.from({ length: total }, (_, i) => i + 1))
        // Publishers really interleaved (otherwise the test proves nothing about concurrency).
        const owners = first.map((d) => (d.event._tag === "Halt" ? d.event.error.split(":")[0] : ""))
        const switches = owners.filter((o, i) => i > 0 && o !== owners[i - 1]).length
        expect(switches).toBeGreaterThan(publishers)
        for (let p = 0; p < publishers; p++) {
          const mine = first.flatMap((d) => (d.event._tag === "Halt" && d.event.error.startsWith(`${p}:`) ? [d.event.error] : []))
          const expected = Array.from({ length: perPublisher }, (_, i) => (i % 10 === 9 ? [`${p}:${i}:x`, `${p}:${i}:y`] : [`${p}:${i}`])).flat()
          expect(mine).toEqual(expected)
        }
        // A batch is contiguous: nothing from another publisher between x and y.
        first.forEach((d, i) => {
          if (d.event._tag === "Halt" && d.event.error.endsWith(":x")) {
            const next = first[i + 1]
            expect(next?.event._tag === "Halt" ? next.event.error : "").toBe(d.event.error.replace(/:x$/, ":y"))
          }
        })
      }),
    ))

  test("typed subscriptions only receive their types, with the global sequence numbers", () =>
    run(
      Effect.gen(function* () {
        const distributor = yield* spawn
        const heads = yield* subscribe(distributor, { id: "heads", types: ["GlobalNewHead"] })
        const control = yield* subscribe(distributor, { id: "control", types: ["Halt", "Resume"] })
        yield* publish(distributor, halt("h1"))
        yield* publish(distributor, headEvent())
        yield* publish(distributor, new Resume())
        yield* publish(distributor, headEvent())
        yield* distributor.ask(new GetDistributorStats()) // the tells before it are processed
        const h = yield* heads.drain
        const c = yield* control.drain
        expect(h.map((d) => [d.sequence, d.event._tag])).toEqual([
          [2, "GlobalNewHead"],
          [4, "GlobalNewHead"],
        ])
        // The type narrows: `frame` is only there on GlobalNewHead.
        expect(h[0]?.event.frame.header.frameNumber).toBe(0n)
        expect(c.map((d) => [d.sequence, d.event._tag])).toEqual([
          [1, "Halt"],
          [3, "Resume"],
        ])
      }),
    ))

  test("slow subscriber, drop-newest: keeps the first `capacity` events, loses the rest, never blocks the publisher", () =>
    run(
      Effect.gen(function* () {
        const distributor = yield* spawn
        const slow = yield* subscribe(distributor, { id: "slow", capacity: 3 })
        const fast = yield* subscribe(distributor, { id: "fast", capacity: 100 })
        for (let i = 1; i <= 10; i++) yield* publish(distributor, halt(`e${i}`))
        const stats = yield* distributor.ask(new GetDistributorStats())
        expect(stats.published).toBe(10)
        const slowStats = stats.subscribers.find((s) => s.id === "slow")
        expect(slowStats).toMatchObject({ delivered: 3, dropped: 7, queued: 3, overflow: "drop-newest" })
        expect((yield* slow.drain).map((d) => d.sequence)).toEqual([1, 2, 3])
        expect((yield* fast.drain).map((d) => d.sequence)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
        // Room again: the gap 4..10 shows in the sequence numbers.
        yield* publish(distributor, halt("e11"))
        expect((yield* slow.take).sequence).toBe(11)
      }),
    ))

  test("slow subscriber, drop-oldest: keeps the latest `capacity` events", () =>
    run(
      Effect.gen(function* () {
        const distributor = yield* spawn
        const slow = yield* subscribe(distributor, { id: "slow", capacity: 3, overflow: "drop-oldest" })
        for (let i = 1; i <= 10; i++) yield* publish(distributor, halt(`e${i}`))
        const stats = yield* distributor.ask(new GetDistributorStats())
        expect(stats.subscribers[0]).toMatchObject({ delivered: 10, dropped: 7, queued: 3 })
        expect((yield* slow.drain).map((d) => d.sequence)).toEqual([8, 9, 10])
      }),
    ))

  test("unsubscribe on scope close ends the stream; duplicate ids are refused; stopping the actor ends streams", () =>
    run(
      Effect.gen(function* () {
        const system = yield* ActorSystem.ActorSystem
        const distributor = yield* spawn
        yield* Effect.scoped(
          Effect.gen(function* () {
            yield* subscribe(distributor, { id: "temp" })
            const dup = yield* Effect.exit(distributor.ask(new Subscribe({ id: "temp" })))
            expect(Exit.isFailure(dup) && JSON.stringify(dup.cause).includes("SubscriberExists")).toBe(true)
          }),
        )
        const afterScope = yield* distributor.ask(new GetDistributorStats())
        expect(afterScope.subscribers.map((s) => s.id)).toEqual([])

        const sub = yield* subscribe(distributor, { id: "until-stop" })
        const collected = yield* Effect.fork(Stream.runCollect(sub.stream))
        yield* publish(distributor, halt("last"))
        yield* distributor.ask(new GetDistributorStats())
        yield* system.stop(distributor.path)
        const items = Chunk.toReadonlyArray(yield* collected.await.pipe(Effect.flatMap((exit) => exit)))
        expect(items.map((d) => d.event._tag)).toEqual(["Halt"])
      }),
    ))
})
