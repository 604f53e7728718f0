import { afterEach, expect, test } from "bun:test"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect, Exit } from "effect"
import { activeProversOf } from "../../../../actors/prover-registry/index.ts"
import { Buckets, Store } from "../../../../runtime/store/index.ts"
import { appReelKind, GetTreeInfo, Head, Insert, Range, timeReelActor } from "../../../../actors/time-reel/index.ts"
import { produceAppFrameHeader, produceAppGenesisHeader } from "../../../../actors/consensus/core/frame-production.ts"
import { AppShardFrame } from "../../../../actors/consensus/core/messages/app-shard-frame.ts"
import { insecureTestVdf } from "../../../../runtime/testing/insecure-test-vdf.ts"
import { ActorSystem } from "../../../../runtime/kernel/index.ts"
import { withNode, type Node } from "./support/harness.ts"

const dirs: Array<string> = []
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

const shard = new Uint8Array(32).fill(0x5a)
const otherShard = new Uint8Array(32).fill(0x5b)
const prover = (i: number) => new Uint8Array(32).fill(0x10 + i)
const roots = () => [new Uint8Array(64), new Uint8Array(64), new Uint8Array(64), new Uint8Array(64)]

/** Unsigned app frames (a proposal's header carries no signature, §1.4): valid without signers. */
const appChild = (parent: AppShardFrame, proverIndex: number, step = 1n) =>
  Effect.map(
    produceAppFrameHeader({
      parent: parent.header,
      frameNumber: parent.header.frameNumber + step,
      rank: parent.header.rank + 1n,
      timestamp: BigInt(Date.now()) + BigInt(proverIndex),
      difficulty: 16,
      feeMultiplierVote: 100n,
      requestsRoot: new Uint8Array(64),
      stateRoots: roots(),
      prover: prover(proverIndex),
    }),
    (header) => new AppShardFrame({ header, requests: [] }),
  )

const spawnAppReel = (node: Node) =>
  Effect.flatMap(ActorSystem.ActorSystem, (system) =>
    system.spawn(timeReelActor({ kind: appReelKind(shard), activeProvers: (f) => activeProversOf(node.registry, f), distributor: node.distributor })),
  )

test("an app-shard reel: its own address only, frame numbers may skip, AppNewHead / AppFork, app bucket, restart", async () => {
  const path = mkdtempSync(join(tmpdir(), "quilbun-app-reel-"))
  dirs.push(path)
  await withNode(path, insecureTestVdf, (node) =>
    Effect.gen(function* () {
      const reel = yield* spawnAppReel(node)
      const genesis = new AppShardFrame({ header: yield* produceAppGenesisHeader({ address: shard, difficulty: 16, prover: prover(0) }), requests: [] })
      const f1 = yield* appChild(genesis, 1)
      const f3 = yield* appChild(f1, 1, 2n) // app numbers follow the global head, so gaps are fine
      const side2 = yield* appChild(genesis, 2, 2n)
      const side3 = yield* appChild(side2, 2)
      const side4 = yield* appChild(side3, 2)
      for (const frame of [genesis, f1, f3]) expect((yield* reel.ask(new Insert({ frame })))._tag).toBe("Accepted")
      const foreign = new AppShardFrame({ header: yield* produceAppGenesisHeader({ address: otherShard, difficulty: 16, prover: prover(0) }), requests: [] })
      const refused = yield* Effect.exit(reel.ask(new Insert({ frame: foreign })))
      const error = Exit.isFailure(refused) && refused.cause._tag === "Fail" ? refused.cause.error : undefined
      expect(error?._tag === "InsertRejected" ? error.reason : "accepted").toBe("WrongReel")
      expect((yield* reel.ask(new Insert({ frame: side4 })))._tag).toBe("Pending")
      yield* reel.ask(new Insert({ frame: side2 }))
      expect(yield* reel.ask(new Insert({ frame: side3 }))).toMatchObject({ _tag: "Accepted", headChanged: true, released: 1 })
      const events = (yield* node.published).map((d) =>
        d.event._tag === "AppNewHead"
          ? `AppNewHead(${d.event.frame.header.frameNumber}${d.event.replay ? ",replay" : ""})`
          : d.event._tag === "AppFork"
            ? `AppFork(${d.event.oldHead.frameNumber}->${d.event.frame.header.frameNumber} via ${d.event.commonAncestor.frameNumber})`
            : d.event._tag,
      )
      expect(events).toEqual([
        "AppNewHead(0)",
        "AppNewHead(1)",
        "AppNewHead(3)",
        "AppFork(3->4 via 0)",
        "AppNewHead(2,replay)",
        "AppNewHead(3,replay)",
        "AppNewHead(4,replay)",
      ])
      const head = yield* reel.ask(new Head())
      expect(head?.frame.header.frameNumber).toBe(4n)
      const stored = yield* reel.ask(new Range({ from: 0n, to: 10n }))
      expect(stored.map((f) => f.header.frameNumber)).toEqual([0n, 2n, 3n, 4n])
      const stats = yield* (yield* Store).stats
      expect(stats.entries[Buckets.clockFramesApp.name]).toBe(5) // 4 frames + head pointer
    }),
  )
  // Restart: the window is loaded by count (numbers 0, 2, 3, 4 have gaps) and linked by selector.
  await withNode(path, insecureTestVdf, (node) =>
    Effect.gen(function* () {
      const reel = yield* spawnAppReel(node)
      expect((yield* reel.ask(new Head()))?.frame.header.frameNumber).toBe(4n)
      expect(yield* reel.ask(new GetTreeInfo())).toMatchObject({ nodes: 4, rootFrameNumber: 0n, headFrameNumber: 4n })
    }),
  )
})
