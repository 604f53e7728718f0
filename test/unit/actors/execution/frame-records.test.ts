// Frame records (frame-records.ts, D-EXEC-26): format 2 keeps each change's prior and only the tag of
// its next state. A store written by the previous build holds format-1 records (next values too); it
// must still revert and rewind exactly as before, so this test rewrites a host's records into the
// old layout, byte for byte as the old build wrote them, and reopens the store with a fresh host.
import { describe, expect, test } from "bun:test"
import { Effect, Either } from "effect"
import { decodeFrameRecord, encodeFrameRecord, frameRecords } from "../../../../actors/execution/frame-records.ts"
import { ApplyFrame, GetHead, GetShardRoots, Revert } from "../../../../actors/execution/index.ts"
import { type Change, encodeChanges } from "../../../../actors/execution/overlay/index.ts"
import { CanonicalWriter } from "../../../../intrinsics/contract/index.ts"
import { defineRepository, KeyCodec, Store, ValueCodec } from "../../../../runtime/store/index.ts"
import { noteDomain } from "../../intrinsics/contract/fixtures/note-intrinsic.ts"
import { Buckets, notes, put, rawRows, remove, tempStorePath, withHost } from "./harness.ts"

const hex = (b: Uint8Array): string => Buffer.from(b).toString("hex")

describe("frame records", () => {
  test("format 2 layout: u8 2 ‖ u32 len ‖ root ‖ u32 count ‖ (u8 kind ‖ id ‖ prior ‖ u8 next tag)*", () => {
    const a = new Uint8Array(64).fill(0x11)
    const b = new Uint8Array(64).fill(0x22)
    const bytes = encodeFrameRecord({
      root: Uint8Array.of(0xaa, 0xbb),
      changes: [
        { ref: { kind: "vertex", id: a }, prior: { _tag: "Absent" }, next: { _tag: "Present" } },
        { ref: { kind: "hyperedge", id: b }, prior: { _tag: "Present", value: Uint8Array.of(0xab, 0xcd) }, next: { _tag: "Removed" } },
      ],
    })
    expect(hex(bytes)).toBe(`02` + `00000002aabb` + `00000002` + `00${hex(a)}00` + `02` + `01${hex(b)}0200000002abcd` + `01`)
    // A Change (with its next value) is recorded the same way: the value is not kept.
    const withValue: Change = { ref: { kind: "vertex", id: a }, prior: { _tag: "Absent" }, next: { _tag: "Present", value: Uint8Array.of(9, 9, 9) } }
    expect(hex(encodeFrameRecord({ root: new Uint8Array(0), changes: [withValue] }))).toBe(`02` + `00000000` + `00000001` + `00${hex(a)}00` + `02`)
  })

  test("a format-1 record decodes to its changes without the next values; unknown formats and trailing bytes are refused", () => {
    const id = new Uint8Array(64).fill(0x33)
    const changes: Array<Change> = [
      { ref: { kind: "vertex", id }, prior: { _tag: "Present", value: Uint8Array.of(1) }, next: { _tag: "Present", value: Uint8Array.of(2) } },
    ]
    const format1 = encodeChanges(changes, new CanonicalWriter().bytes(Uint8Array.of(7)).finish())
    expect(format1[0]).toBe(0)
    const decoded = decodeFrameRecord(format1)
    expect(Either.isRight(decoded) ? decoded.right : decoded.left).toEqual({
      root: Uint8Array.of(7),
      changes: [{ ref: { kind: "vertex", id }, prior: { _tag: "Present", value: Uint8Array.of(1) }, next: { _tag: "Present" } }],
    })
    const format2 = encodeFrameRecord({ root: Uint8Array.of(7), changes })
    expect(decodeFrameRecord(format2)).toEqual(decoded)
    for (const format of [1, 3, 0xff]) expect(Either.isLeft(decodeFrameRecord(Uint8Array.of(format, ...format2.subarray(1))))).toBe(true)
    expect(Either.isLeft(decodeFrameRecord(Uint8Array.of(...format2, 0)))).toBe(true)
    expect(Either.isLeft(decodeFrameRecord(Uint8Array.of(...format1, 0)))).toBe(true)
  })

  test("a store whose records the previous build wrote (format 1) reverts and rewinds as before", async () => {
    const { path, cleanup } = tempStorePath()
    try {
      const written = await withHost(path, (host) =>
        Effect.gen(function* () {
          const frames = [
            [notes(put(1, "one"), put(2, "two"), put(3, "three"))],
            [notes(put(1, "uno"), remove(2), put(4, "four"))],
            [notes(put(1, "eins"), put(4, "vier"), put(5, "fünf")), notes(remove(3))],
          ]
          /** The vertices rows after each frame (row key hex → value hex). */
          const after: Array<Map<string, string>> = []
          /** The shard's roots while each frame was the head (live tries, nothing rewound). */
          const live: Array<{ app: Array<string>; sub: Array<string> }> = []
          for (const [i, bundles] of frames.entries()) {
            const frameNumber = BigInt(i + 1)
            yield* host.ask(new ApplyFrame({ frameNumber, bundles }))
            after.push(new Map(yield* rawRows(Buckets.vertices)))
            live.push({
              app: (yield* host.ask(new GetShardRoots({ frameNumber, shardAddress: noteDomain }))).roots.map(hex),
              sub: (yield* host.ask(new GetShardRoots({ frameNumber, shardAddress: Uint8Array.of(...noteDomain, 0) }))).roots.map(hex),
            })
          }
          const roots = {
            at1: (yield* host.ask(new GetShardRoots({ frameNumber: 1n, shardAddress: noteDomain }))).roots.map(hex),
            at2: (yield* host.ask(new GetShardRoots({ frameNumber: 2n, shardAddress: Uint8Array.of(...noteDomain, 0) }))).roots.map(hex),
            head: (yield* host.ask(new GetShardRoots({ frameNumber: 3n, shardAddress: noteDomain }))).roots.map(hex),
          }
          // Rewrite every record as the old build wrote it: `u32 len ‖ root ‖ encodeChanges`, the next
          // values being the rows the frame left (what its overlay staged).
          const store = yield* Store
          const records = store.repository(frameRecords).range()
          const raw = store.repository(defineRepository({ bucket: Buckets.executionFrames, key: KeyCodec.u64, value: ValueCodec.raw }))
          yield* store.commit((tx) => {
            for (const { key, value } of records) {
              const rows = after[Number(key) - 1] as Map<string, string>
              const full: Array<Change> = value.changes.map((c) => {
                if (c.next._tag !== "Present") return { ref: c.ref, prior: c.prior, next: { _tag: c.next._tag } }
                const row = rows.get(`${c.ref.kind === "vertex" ? "00" : "01"}${hex(c.ref.id)}`) ?? ""
                return { ref: c.ref, prior: c.prior, next: { _tag: "Present", value: Buffer.from(row.slice(2), "hex") } }
              })
              raw.put(tx, key, encodeChanges(full, new CanonicalWriter().bytes(value.root).finish()))
            }
          })
          const rewritten = (yield* rawRows(Buckets.executionFrames)).map(([, v]) => v.slice(0, 2))
          return { after, live, roots, rewritten }
        }),
      )
      expect(written.rewritten).toEqual(["00", "00", "00"])
      const reopened = await withHost(path, (host) =>
        Effect.gen(function* () {
          const at1 = (yield* host.ask(new GetShardRoots({ frameNumber: 1n, shardAddress: noteDomain }))).roots.map(hex)
          const at2 = (yield* host.ask(new GetShardRoots({ frameNumber: 2n, shardAddress: Uint8Array.of(...noteDomain, 0) }))).roots.map(hex)
          const head = (yield* host.ask(new GetShardRoots({ frameNumber: 3n, shardAddress: noteDomain }))).roots.map(hex)
          const reverted = yield* host.ask(new Revert({ toFrame: 1n }))
          const atoms = new Map(yield* rawRows(Buckets.vertices))
          const records = (yield* rawRows(Buckets.executionFrames)).length
          // The host goes on above the restored head, writing format 2.
          yield* host.ask(new ApplyFrame({ frameNumber: 2n, bundles: [notes(put(2, "again"))] }))
          const formats = (yield* rawRows(Buckets.executionFrames)).map(([, v]) => v.slice(0, 2))
          const newHead = yield* host.ask(new GetHead())
          return { roots: { at1, at2, head }, reverted, atoms, records, formats, newHead }
        }),
      )
      // Rewound through format-2 records, then through format-1 ones: the roots each frame had as the head.
      expect(written.roots as unknown).toEqual({ at1: written.live[0]?.app, at2: written.live[1]?.sub, head: written.live[2]?.app })
      expect(reopened.roots).toEqual(written.roots)
      // Something to rewind: the later frames changed the shard (a re-add, a removal, new notes).
      expect(written.roots.at1).not.toEqual(written.roots.head)
      expect(reopened.reverted).toEqual({ reverted: [3n, 2n], head: 1n })
      expect(reopened.atoms).toEqual(written.after[0] ?? new Map())
      expect(reopened.records).toBe(1)
      expect(reopened.formats).toEqual(["00", "02"])
      expect(reopened.newHead).toBe(2n)
    } finally {
      cleanup()
    }
    // Two hosts with the native KZG committer on a shared, loaded machine.
  }, 60_000)
})
