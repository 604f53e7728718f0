import { describe, expect, test } from "bun:test"
import { Effect, type Scope } from "effect"
import { AppShardFrame } from "../../../../actors/consensus/core/messages/app-shard-frame.ts"
import { AppFrameHeader } from "../../../../actors/consensus/core/messages/app-frame-header.ts"
import { AppFork, AppNewHead, eventDistributorActor, GetDistributorStats, publish } from "../../../../actors/event-distributor/index.ts"
import { feeManagerActor } from "../../../../actors/fee-manager/fee-manager.ts"
import { FeeSnapshot, NextFeeMultiplier, ProposerFeeVote, RecordFeeVote, RewindFeeVotes } from "../../../../actors/fee-manager/index.ts"
import { ActorSystem } from "../../../../runtime/kernel/index.ts"

const run = <A, E>(body: Effect.Effect<A, E, ActorSystem.ActorSystem | Scope.Scope>): Promise<A> =>
  Effect.runPromise(Effect.scoped(body).pipe(Effect.provide(ActorSystem.layer())) as Effect.Effect<A, E>)

const shardA = new Uint8Array(32).fill(0x0a)
const shardB = new Uint8Array(33).fill(0x0b)

const appFrame = (address: Uint8Array, frameNumber: bigint, vote: bigint) =>
  new AppShardFrame({
    header: new AppFrameHeader({
      address,
      frameNumber,
      rank: frameNumber,
      timestamp: 1n,
      difficulty: 1,
      output: new Uint8Array(516),
      parentSelector: new Uint8Array(32),
      requestsRoot: new Uint8Array(64),
      stateRoots: [new Uint8Array(64), new Uint8Array(64), new Uint8Array(64), new Uint8Array(64)],
      prover: new Uint8Array(32),
      feeMultiplierVote: vote,
    }),
    requests: [],
  })

const ref = (frameNumber: bigint) => ({ frameNumber, selector: new Uint8Array(32), frameId: `f${frameNumber}` })

describe("fee-manager actor", () => {
  test("messages: votes per filter, rewind, proposer vote, snapshot", () =>
    run(
      Effect.gen(function* () {
        const system = yield* ActorSystem.ActorSystem
        const fees = yield* system.spawn(feeManagerActor())
        for (let f = 1n; f <= 4n; f++) yield* fees.tell(new RecordFeeVote({ filter: shardA, frameNumber: f, vote: 100n + f }))
        yield* fees.tell(new RecordFeeVote({ filter: shardB, frameNumber: 1n, vote: 50n }))
        expect(yield* fees.ask(new NextFeeMultiplier({ filter: shardA }))).toBe(102n)
        yield* fees.tell(new RewindFeeVotes({ filter: shardA, toFrame: 2n }))
        expect(yield* fees.ask(new NextFeeMultiplier({ filter: shardA }))).toBe(101n)
        expect(yield* fees.ask(new NextFeeMultiplier({ filter: new Uint8Array() }))).toBe(100n)
        expect(yield* fees.ask(new ProposerFeeVote({ filter: shardB, dtMs: 1_000n }))).toBe(45n)
        const snapshot = yield* fees.ask(new FeeSnapshot())
        expect(snapshot.map((w) => [w.filter.length, w.multiplier, w.votes])).toEqual([
          [0, 100n, 0],
          [32, 101n, 2],
          [33, 50n, 1],
        ])
      }),
    ))

  test("follows AppNewHead and AppFork from the event distributor", () =>
    run(
      Effect.gen(function* () {
        const system = yield* ActorSystem.ActorSystem
        const distributor = yield* system.spawn(eventDistributorActor)
        const fees = yield* system.spawn(feeManagerActor({ distributor }))
        // The manager subscribes in its init, which runs after spawn returns.
        while ((yield* distributor.ask(new GetDistributorStats())).subscribers.length === 0) yield* Effect.sleep("2 millis")
        const head = (f: bigint, vote: bigint) =>
          new AppNewHead({ frame: appFrame(shardA, f, vote), frameId: `f${f}`, selector: new Uint8Array(32), replay: false })
        yield* publish(distributor, head(1n, 100n))
        yield* publish(distributor, head(2n, 200n))
        yield* publish(distributor, head(3n, 300n))
        // A fork back to frame 1 whose new head (frame 2') votes 10: frames 2 and 3 no longer count.
        yield* publish(
          distributor,
          new AppFork({
            frame: appFrame(shardA, 2n, 10n),
            frameId: "f2b",
            selector: new Uint8Array(32),
            oldHead: ref(3n),
            commonAncestor: ref(1n),
            reverted: [ref(3n), ref(2n)],
          }),
        )
        // Events reach the manager asynchronously: poll until the fork's head is counted.
        let snapshot = yield* fees.ask(new FeeSnapshot())
        for (let i = 0; i < 400 && !(snapshot[0]?.lastFrame === 2n && snapshot[0].votes === 2); i++) {
          yield* Effect.sleep("5 millis")
          snapshot = yield* fees.ask(new FeeSnapshot())
        }
        expect(snapshot[0]?.multiplier).toBe(55n)
      }),
    ))
})
