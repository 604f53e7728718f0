// The worker's shard-update sender: a submission returns at once (the shard never waits on the master),
// the master's answer updates the global head the shard's frame numbers follow, and a refused
// submission changes nothing and fails nothing; a held leader's refresh learns the head without a
// submission, one ask at a time.
import { describe, expect, test } from "bun:test"
import { Effect, Fiber, type Scope, TestClock, TestContext } from "effect"
import { makeShardUpdateSender } from "../../../../../actors/consensus/app/shard-update-sender.ts"
import { AppShardFrame } from "../../../../../actors/consensus/core/messages/app-shard-frame.ts"
import { QuorumCertificate } from "../../../../../actors/consensus/core/messages/quorum-certificate.ts"
import { shardUpdatesActor } from "../../../../../actors/consensus/global/shard-updates.ts"
import { PendingShardUpdates } from "../../../../../actors/consensus/global/shard-updates-protocol.ts"
import { ActorSystem } from "../../../../../runtime/kernel/index.ts"
import { certify, unsignedShardHeader } from "../core/support/certified-shard-header.ts"
import { makeCommittee } from "../core/support/devnet-crypto.ts"
import { testPoseidonHashBytes as poseidon } from "../core/support/poseidon.ts"

const { provers } = makeCommittee(4)
const A = new Uint8Array(32).fill(0x5a)
const certified = (n: bigint) => {
  const { header, qc } = certify(unsignedShardHeader(A, n, provers[0]?.address ?? new Uint8Array(32)), provers, [0, 1, 2])
  return { frame: new AppShardFrame({ header, requests: [] }), qc }
}

const run = <A, E>(body: Effect.Effect<A, E, ActorSystem.ActorSystem | Scope.Scope>) =>
  Effect.runPromise(Effect.scoped(body).pipe(Effect.provide(ActorSystem.layer()), Effect.provide(TestContext.TestContext)) as Effect.Effect<A, E>)

describe("shard update sender (worker side)", () => {
  test("submit returns before the master answers; the answer's global head becomes the shard's", () =>
    run(
      Effect.gen(function* () {
        // A master that takes a second to read its head.
        const pool = yield* ActorSystem.spawnScoped(shardUpdatesActor({ globalHead: Effect.as(Effect.sleep("1 second"), 41n), poseidon }))
        const sender = makeShardUpdateSender(pool, yield* Effect.scope)
        expect(yield* sender.globalHead).toBeUndefined()
        const submitting = yield* Effect.fork(sender.submit(certified(10n)))
        // Done without any time passing: the ask runs in its own fiber.
        expect(yield* Fiber.join(submitting)).toBeUndefined()
        expect(yield* sender.globalHead).toBeUndefined()
        yield* TestClock.adjust("1 second")
        yield* Effect.yieldNow()
        expect(yield* sender.globalHead).toBe(41n)
        expect((yield* pool.ask(new PendingShardUpdates())).map((h) => h.frameNumber)).toEqual([10n])
      }),
    ))

  test("a refused submission fails nothing and leaves the head as it was", () =>
    run(
      Effect.gen(function* () {
        const pool = yield* ActorSystem.spawnScoped(shardUpdatesActor({ globalHead: Effect.succeed(7n), poseidon }))
        const sender = makeShardUpdateSender(pool, yield* Effect.scope)
        const { frame, qc } = certified(10n)
        // A QC for another frame number: refused by the master.
        yield* sender.submit({ frame, qc: new QuorumCertificate({ ...qc, frameNumber: 11n }) })
        yield* TestClock.adjust("3 seconds")
        expect(yield* sender.globalHead).toBeUndefined()
        expect(yield* pool.ask(new PendingShardUpdates())).toEqual([])
      }),
    ))

  test("refreshGlobalHead learns the master's head without a submission, with one ask in flight however often it is called", () =>
    run(
      Effect.gen(function* () {
        let reads = 0
        let head = 12n
        const globalHead = Effect.suspend(() => {
          reads++
          return Effect.as(Effect.sleep("100 millis"), head)
        })
        const pool = yield* ActorSystem.spawnScoped(shardUpdatesActor({ globalHead, poseidon }))
        const sender = makeShardUpdateSender(pool, yield* Effect.scope)
        for (let i = 0; i < 5; i++) yield* sender.refreshGlobalHead
        yield* TestClock.adjust("1 second")
        expect(reads).toBe(1)
        expect(yield* sender.globalHead).toBe(12n)
        // A later refresh asks again, and the head only ever moves forward.
        head = 15n
        yield* sender.refreshGlobalHead
        yield* TestClock.adjust("1 second")
        expect(yield* sender.globalHead).toBe(15n)
        head = 9n
        yield* sender.refreshGlobalHead
        yield* TestClock.adjust("1 second")
        expect(reads).toBe(3)
        expect(yield* sender.globalHead).toBe(15n)
        expect(yield* pool.ask(new PendingShardUpdates())).toEqual([])
      }),
    ))
})
