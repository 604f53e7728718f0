import { bytesToHex } from "@noble/hashes/utils.js"
import { afterEach, describe, expect, test } from "bun:test"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect, Exit } from "effect"
import { Buckets, defineRepository, KeyCodec, Store, ValueCodec } from "../../../../runtime/store/index.ts"
import { FrameByNumber, GetTreeInfo, Head, Insert, Range, Replay, Rewind, type InsertResult } from "../../../../actors/time-reel/index.ts"
import { produceAppGenesisHeader } from "../../../../actors/consensus/core/frame-production.ts"
import { AppShardFrame } from "../../../../actors/consensus/core/messages/app-shard-frame.ts"
import { GlobalFrame } from "../../../../actors/consensus/core/messages/global-frame.ts"
import { BLS48581AggregateSignature } from "../../../../actors/consensus/core/messages/signatures.ts"
import { GlobalFrameHeader } from "../../../../actors/consensus/core/messages/global-frame-header.ts"
import { insecureTestVdf } from "../../../../runtime/testing/insecure-test-vdf.ts"
import { genesisFrame, makeFrameBuilder, selectorOf, withFlippedOutput } from "./support/frames.ts"
import { describeEvent, withNode, type Node } from "./support/harness.ts"

const dirs: Array<string> = []
const tmp = (): string => {
  const d = mkdtempSync(join(tmpdir(), "quilbun-reel-"))
  dirs.push(d)
  return d
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

const { child, chain } = makeFrameBuilder(insecureTestVdf)
const genesis = genesisFrame(BigInt(Date.now()))
const main = chain(genesis, 6) // frames 1..6, signer 0

const insert = (node: Node, frame: GlobalFrame) => node.reel.ask(new Insert({ frame }))
const insertAll = (node: Node, frames: ReadonlyArray<GlobalFrame>) => Effect.forEach(frames, (f) => insert(node, f))
const headNumber = (node: Node) => Effect.map(node.reel.ask(new Head()), (h) => h?.frame.header.frameNumber ?? null)
const eventLog = (node: Node) => Effect.map(node.published, (items) => items.map((d) => describeEvent(d.event)))
const storedNumbers = (node: Node) => Effect.map(node.reel.ask(new Range({ from: 0n, to: 1000n })), (frames) => frames.map((f) => f.header.frameNumber))
const storedSelector = (node: Node, n: bigint) =>
  Effect.map(node.reel.ask(new FrameByNumber({ frameNumber: n })), (f) => (f === null ? null : bytesToHex(selectorOf(f as GlobalFrame))))
const rejection = (exit: Exit.Exit<InsertResult, unknown>): string => {
  if (Exit.isSuccess(exit)) return `accepted:${exit.value._tag}`
  const failure = exit.cause._tag === "Fail" ? (exit.cause.error as { readonly _tag?: string; readonly reason?: string }) : undefined
  return failure?._tag === "InsertRejected" ? String(failure.reason) : `other:${exit.cause._tag}`
}

describe("global time reel", () => {
  test("a chain inserted in order: one NewHead per frame, in order, each frame persisted with the head", () =>
    withNode(tmp(), insecureTestVdf, (node) =>
      Effect.gen(function* () {
        const results = yield* insertAll(node, [genesis, ...main.slice(0, 4)])
        expect(results.map((r) => r._tag)).toEqual(["Accepted", "Accepted", "Accepted", "Accepted", "Accepted"])
        expect(yield* headNumber(node)).toBe(4n)
        expect(yield* eventLog(node)).toEqual(["NewHead(0)", "NewHead(1)", "NewHead(2)", "NewHead(3)", "NewHead(4)"])
        expect(yield* storedNumbers(node)).toEqual([0n, 1n, 2n, 3n, 4n])
        expect(yield* storedSelector(node, 3n)).toBe(bytesToHex(selectorOf(main[2]!)))
        // Inserting again is a no-op.
        expect((yield* insert(node, main[1]!))._tag).toBe("Known")
        expect(yield* eventLog(node)).toEqual([])
      }),
    ))

  test("children arriving before their parent wait in pending and are linked when it arrives", () =>
    withNode(tmp(), insecureTestVdf, (node) =>
      Effect.gen(function* () {
        yield* insertAll(node, [genesis, main[0]!])
        yield* eventLog(node)
        const r4 = yield* insert(node, main[3]!)
        const r3 = yield* insert(node, main[2]!)
        expect([r4._tag, r3._tag]).toEqual(["Pending", "Pending"])
        expect((yield* node.reel.ask(new GetTreeInfo())).pending).toBe(2)
        expect(yield* headNumber(node)).toBe(1n)
        const r2 = yield* insert(node, main[1]!)
        expect(r2).toMatchObject({ _tag: "Accepted", headChanged: true, released: 2 })
        expect(r2._tag === "Accepted" && r2.head.frameNumber).toBe(4n)
        expect(yield* eventLog(node)).toEqual(["NewHead(2)", "NewHead(3)", "NewHead(4)"])
        expect(yield* storedNumbers(node)).toEqual([0n, 1n, 2n, 3n, 4n])
        expect((yield* node.reel.ask(new GetTreeInfo())).pending).toBe(0)
      }),
    ))

  test("a competing fork with more signers wins: Fork, then the replayed NewHead; the store follows", () =>
    withNode(tmp(), insecureTestVdf, (node) =>
      Effect.gen(function* () {
        yield* insertAll(node, [genesis, ...main.slice(0, 3)])
        yield* eventLog(node)
        // Frame 3' on top of 2, signed by provers 1 and 2 (frame 3 has prover 0 only: no overlap).
        const rival = child(main[1]!, { signers: [1, 2], timestampStep: 11_000n })
        const r = yield* insert(node, rival)
        expect(r).toMatchObject({ _tag: "Accepted", headChanged: true })
        expect(yield* eventLog(node)).toEqual(["Fork(3->3 via 2; reverted 3)", "NewHead(3,replay)"])
        expect(yield* storedSelector(node, 3n)).toBe(bytesToHex(selectorOf(rival)))
        // A weaker sibling (one signer) does not displace it and emits nothing.
        const weak = child(main[1]!, { signers: [3], timestampStep: 12_000n })
        expect(yield* insert(node, weak)).toMatchObject({ _tag: "Accepted", headChanged: false })
        expect(yield* eventLog(node)).toEqual([])
        expect(yield* storedSelector(node, 3n)).toBe(bytesToHex(selectorOf(rival)))
        // Extending the old branch makes it the deepest again: a reorg back.
        const four = child(main[2]!, { signers: [0] })
        yield* insert(node, four)
        expect(yield* eventLog(node)).toEqual(["Fork(3->4 via 2; reverted 3)", "NewHead(3,replay)", "NewHead(4,replay)"])
        expect(yield* storedSelector(node, 3n)).toBe(bytesToHex(selectorOf(main[2]!)))
        expect(yield* storedNumbers(node)).toEqual([0n, 1n, 2n, 3n, 4n])
      }),
    ))

  test("fork choice does not depend on arrival order", async () => {
    const rival = child(main[1]!, { signers: [1, 2], timestampStep: 11_000n })
    const headAfter = (order: ReadonlyArray<GlobalFrame>) =>
      withNode(tmp(), insecureTestVdf, (node) =>
        Effect.gen(function* () {
          yield* insertAll(node, order)
          const head = yield* node.reel.ask(new Head())
          return head === null ? "" : bytesToHex(head.selector)
        }),
      )
    const rivalLast = await headAfter([genesis, main[0]!, main[1]!, main[2]!, rival])
    const rivalFirst = await headAfter([genesis, main[0]!, main[1]!, rival, main[2]!])
    expect(rivalLast).toBe(bytesToHex(selectorOf(rival)))
    expect(rivalFirst).toBe(rivalLast)
  })

  test("a deeper fork reorgs: reverted frames newest first, the ancestor excluded; hooks run in the same commit", async () => {
    const calls: Array<string> = []
    const hooks = {
      materialize: (_: unknown, f: GlobalFrame) => void calls.push(`+${f.header.frameNumber}`),
      revert: (_: unknown, f: GlobalFrame) => void calls.push(`-${f.header.frameNumber}`),
    }
    await withNode(
      tmp(),
      insecureTestVdf,
      (node) =>
        Effect.gen(function* () {
          yield* insertAll(node, [genesis, ...main.slice(0, 3)])
          yield* eventLog(node)
          calls.length = 0
          const side = chain(main[0]!, 3, { signers: [3], timestampStep: 9_000n }) // 2b, 3b, 4b on top of 1
          const results = yield* insertAll(node, side)
          expect(results.map((r) => (r._tag === "Accepted" ? r.headChanged : r._tag))).toEqual([false, false, true])
          expect(yield* eventLog(node)).toEqual(["Fork(3->4 via 1; reverted 3,2)", "NewHead(2,replay)", "NewHead(3,replay)", "NewHead(4,replay)"])
          expect(calls).toEqual(["-3", "-2", "+2", "+3", "+4"])
          expect(yield* storedSelector(node, 2n)).toBe(bytesToHex(selectorOf(side[0]!)))
        }),
      { hooks },
    )
  })

  test("two frames at one height signed by the same prover: GlobalEquivocation, and that bit stops counting", () =>
    withNode(tmp(), insecureTestVdf, (node) =>
      Effect.gen(function* () {
        yield* insertAll(node, [genesis, ...main.slice(0, 3)])
        yield* eventLog(node)
        const conflicting = child(main[1]!, { signers: [0, 1], timestampStep: 13_000n })
        yield* insert(node, conflicting)
        const log = yield* eventLog(node)
        expect(log[0]).toBe("Equivocation(3; 0)")
        // Prover 0's bit is void at height 3, so the rival scores with prover 1 only and wins over
        // frame 3 (prover 0 only, now scoring zero).
        expect(log.slice(1)).toEqual(["Fork(3->3 via 2; reverted 3)", "NewHead(3,replay)"])
      }),
    ))

  test("invalid frames are rejected with the validator's reason and nothing is persisted or announced", () =>
    withNode(tmp(), insecureTestVdf, (node) =>
      Effect.gen(function* () {
        yield* insertAll(node, [genesis, main[0]!])
        yield* eventLog(node)
        const store = yield* Store
        const entriesBefore = (yield* store.stats).entries[Buckets.clockFramesGlobal.name]
        const badVdf = yield* Effect.exit(insert(node, withFlippedOutput(main[1]!)))
        expect(rejection(badVdf)).toBe("BadVdf")
        // Rank must grow: a child at the parent's rank is refused when it links.
        const sameRank = child(main[0]!, { rank: main[0]!.header.rank })
        expect(rejection(yield* Effect.exit(insert(node, sameRank)))).toBe("BadRank")
        // Bitmask names prover 1 but the header carries prover 0's key.
        const h = main[1]!.header
        const sig = h.publicKeySignatureBls48581!
        const forged = new GlobalFrameHeader({ ...h, publicKeySignatureBls48581: new BLS48581AggregateSignature({ ...sig, bitmask: Uint8Array.of(0b10) }) })
        expect(rejection(yield* Effect.exit(insert(node, new GlobalFrame({ header: forged, requests: [] }))))).toBe("BadAggregatePublicKey")
        // An app-shard frame is not for the global reel.
        const appGenesis = yield* produceAppGenesisHeader({ address: new Uint8Array(32).fill(5), difficulty: 16, prover: new Uint8Array(32).fill(1) })
        expect(rejection(yield* Effect.exit(node.reel.ask(new Insert({ frame: new AppShardFrame({ header: appGenesis, requests: [] }) }))))).toBe("WrongReel")
        expect(yield* headNumber(node)).toBe(1n)
        expect(yield* storedNumbers(node)).toEqual([0n, 1n])
        expect((yield* store.stats).entries[Buckets.clockFramesGlobal.name]).toBe(entriesBefore)
        expect(yield* eventLog(node)).toEqual([])
        const genesis2 = genesisFrame(genesis.header.timestamp + 1n)
        expect(rejection(yield* Effect.exit(insert(node, genesis2)))).toBe("ConflictingGenesis")
      }),
    ))

  test("restart: the reel resumes from the persisted head and keeps extending it", async () => {
    const path = tmp()
    await withNode(path, insecureTestVdf, (node) => Effect.asVoid(insertAll(node, [genesis, ...main.slice(0, 3)])))
    await withNode(path, insecureTestVdf, (node) =>
      Effect.gen(function* () {
        expect(yield* headNumber(node)).toBe(3n)
        expect((yield* node.reel.ask(new GetTreeInfo())).nodes).toBe(4)
        expect(yield* eventLog(node)).toEqual([]) // bootstrap is silent
        expect((yield* insert(node, main[1]!))._tag).toBe("Known")
        expect(yield* insert(node, main[3]!)).toMatchObject({ _tag: "Accepted", headChanged: true })
        expect(yield* eventLog(node)).toEqual(["NewHead(4)"])
        expect(yield* storedNumbers(node)).toEqual([0n, 1n, 2n, 3n, 4n])
      }),
    )
  })

  test("with a body source (the committed chain) each body it holds is stored once; a restart reads them from it", async () => {
    const path = tmp()
    // Frames 1..3 are "committed": the source holds them; frame 4 is not (yet).
    const committed = new Map(main.slice(0, 3).map((f) => [f.header.frameNumber, { frame: f, selector: selectorOf(f) }] as const))
    const source = { frameBodies: () => ({ frame: (n: bigint) => committed.get(n) }) }
    const rows = defineRepository({
      bucket: Buckets.clockFramesGlobal,
      key: KeyCodec.tuple(KeyCodec.bytes, KeyCodec.fixedBytes(1), KeyCodec.u64),
      value: ValueCodec.cbor<{ readonly selector: Uint8Array; readonly bytes?: Uint8Array }>(),
    })
    const bodies = Effect.map(Store, (store) =>
      store
        .repository(rows)
        .range()
        .filter((r) => r.key[1][0] === 0x00)
        .map((r) => [r.key[2], r.value.bytes !== undefined] as const),
    )
    await withNode(
      path,
      insecureTestVdf,
      (node) =>
        Effect.gen(function* () {
          yield* insertAll(node, [genesis, ...main.slice(0, 4)])
          // Genesis and frame 4 keep their bodies; 1..3 are the source's.
          expect(yield* bodies).toEqual([
            [0n, true],
            [1n, false],
            [2n, false],
            [3n, false],
            [4n, true],
          ])
        }),
      source,
    )
    await withNode(
      path,
      insecureTestVdf,
      (node) =>
        Effect.gen(function* () {
          expect(yield* headNumber(node)).toBe(4n)
          expect(yield* storedNumbers(node)).toEqual([0n, 1n, 2n, 3n, 4n])
          expect(yield* storedSelector(node, 2n)).toBe(bytesToHex(selectorOf(main[1]!)))
        }),
      source,
    )
    // A row without a body whose source lost the frame is corruption: the reel does not start on it.
    committed.delete(2n)
    const lost = await withNode(path, insecureTestVdf, (node) => Effect.exit(storedNumbers(node)), source)
    expect(Exit.isFailure(lost) && lost.cause._tag === "Fail" ? lost.cause.error : undefined).toMatchObject({ _tag: "ActorStopped" })
  })

  test("rewind drops the frames above the target (Fork with reverted frames), replay re-announces the chain", () =>
    withNode(tmp(), insecureTestVdf, (node) =>
      Effect.gen(function* () {
        yield* insertAll(node, [genesis, ...main.slice(0, 5)])
        yield* eventLog(node)
        const rewound = yield* node.reel.ask(new Rewind({ frameNumber: 3n }))
        expect(rewound.reverted).toBe(2)
        expect(rewound.head.frameNumber).toBe(3n)
        expect(yield* eventLog(node)).toEqual(["Fork(5->3 via 3; reverted 5,4)"])
        expect(yield* headNumber(node)).toBe(3n)
        expect(yield* storedNumbers(node)).toEqual([0n, 1n, 2n, 3n])
        const invalid = yield* Effect.exit(node.reel.ask(new Rewind({ frameNumber: 9n })))
        expect(Exit.isFailure(invalid)).toBe(true)
        // The dropped frames can come back.
        expect(yield* insert(node, main[3]!)).toMatchObject({ _tag: "Accepted", headChanged: true })
        expect(yield* eventLog(node)).toEqual(["NewHead(4)"])
        expect(yield* node.reel.ask(new Replay({ fromFrameNumber: 2n }))).toEqual({ replayed: 3 })
        expect(yield* eventLog(node)).toEqual(["NewHead(2,replay)", "NewHead(3,replay)", "NewHead(4,replay)"])
      }),
    ))

  test("the tree keeps maxDepth levels; frames below the root are refused; pending is bounded", async () => {
    const long = chain(genesis, 14)
    await withNode(
      tmp(),
      insecureTestVdf,
      (node) =>
        Effect.gen(function* () {
          yield* insertAll(node, [genesis, ...long.slice(0, 12)])
          const info = yield* node.reel.ask(new GetTreeInfo())
          expect(info).toMatchObject({ nodes: 5, headFrameNumber: 12n, rootFrameNumber: 8n, leaves: 1 })
          expect((yield* storedNumbers(node)).length).toBe(13) // the store keeps the whole canonical chain
          const stale = child(long[5]!, { signers: [2], timestampStep: 7_000n }) // frame 7, below the root
          expect(rejection(yield* Effect.exit(insert(node, stale)))).toBe("BelowRoot")
          const orphanA = child(long[13]!, { signers: [1] }) // 15: parent 14 unknown
          const orphanB = child(long[13]!, { signers: [2], timestampStep: 8_000n })
          const orphanC = child(long[13]!, { signers: [3], timestampStep: 9_000n })
          expect((yield* insert(node, orphanA))._tag).toBe("Pending")
          expect((yield* insert(node, orphanB))._tag).toBe("Pending")
          expect(rejection(yield* Effect.exit(insert(node, orphanC)))).toBe("PendingFull")
        }),
      { maxDepth: 5, maxPending: 2 },
    )
  })

  test("certified mode (frames without their QC): the aggregate must verify and reach the quorum threshold", () =>
    withNode(
      tmp(),
      insecureTestVdf,
      (node) =>
        Effect.gen(function* () {
          expect((yield* insert(node, genesis))._tag).toBe("Accepted")
          // 4 provers × seniority 10: threshold ⌊4·40/6⌋ = 26, so three signers are needed.
          const lonely = child(genesis, { signers: [0], voteSigned: true })
          expect(rejection(yield* Effect.exit(insert(node, lonely)))).toBe("BadBitmask")
          const unsigned = child(genesis, { signers: [0, 1, 2] })
          expect(rejection(yield* Effect.exit(insert(node, unsigned)))).toBe("BadSignature")
          const certified = child(genesis, { signers: [0, 1, 2], voteSigned: true })
          expect(yield* insert(node, certified)).toMatchObject({ _tag: "Accepted", headChanged: true })
          expect(yield* storedNumbers(node)).toEqual([0n, 1n])
        }),
      { certified: true },
    ))

  test("any arrival order of the same frames ends at the same head and the same stored chain", async () => {
    const branchA = chain(main[2]!, 3, { signers: [1, 2], timestampStep: 9_000n }) // 4a..6a: two signers each
    const branchB = [child(main[4]!, { signers: [3], timestampStep: 8_000n })] // 6b: one signer
    const all = [genesis, ...main, ...branchA, ...branchB]
    const expected = [genesis, main[0]!, main[1]!, main[2]!, ...branchA].map((f) => bytesToHex(selectorOf(f)))
    let seed = 12345
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648
      return seed / 2147483648
    }
    for (let round = 0; round < 4; round++) {
      const order = round === 0 ? all : [...all].sort(() => random() - 0.5)
      const outcome = await withNode(tmp(), insecureTestVdf, (node) =>
        Effect.gen(function* () {
          const results = yield* insertAll(node, order)
          expect(results.every((r) => r._tag !== "Known")).toBe(true)
          const stored = yield* node.reel.ask(new Range({ from: 0n, to: 100n }))
          const info = yield* node.reel.ask(new GetTreeInfo())
          return { stored: stored.map((f) => bytesToHex(selectorOf(f as GlobalFrame))), pending: info.pending, nodes: info.nodes }
        }),
      )
      expect(outcome).toEqual({ stored: expected, pending: 0, nodes: all.length })
    }
    // Four whole nodes, one after another: ~1.5 s on a quiet machine, several times that under load.
  }, 30_000)
})
