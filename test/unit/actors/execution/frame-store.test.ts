// The frame commit encodes rows into one key and one value buffer it reuses row by row (store-snapshot.ts):
// every row must land byte for byte, whatever the sizes before it, and read back through the snapshot.
import { describe, expect, test } from "bun:test"
import { Effect } from "effect"
import { placeholderCommitter } from "../../../../actors/execution/committer.ts"
import { commitFrameSync } from "../../../../actors/execution/frame-store.ts"
import { type Change, committedAtoms, storeSnapshot } from "../../../../actors/execution/overlay/index.ts"
import { Buckets, defineRepository, KeyCodec, openStore, ValueCodec } from "../../../../runtime/store/index.ts"
import { tempStorePath } from "./harness.ts"

describe("frame commit rows", () => {
  test("3000 rows of varying sizes land byte for byte and read back", async () => {
    const { path, cleanup } = tempStorePath()
    try {
      const store = await Effect.runPromise(openStore({ path }))
      const changes: Array<Change> = Array.from({ length: 3000 }, (_, i) => {
        const id = new Uint8Array(64)
        id[0] = 7
        id[62] = i >> 8
        id[63] = i & 0xff
        return {
          ref: { kind: i % 5 === 0 ? "hyperedge" : "vertex", id },
          prior: { _tag: "Absent" },
          next: i % 11 === 0 ? { _tag: "Removed" } : { _tag: "Present", value: new Uint8Array(60 + (i % 13)).fill(i & 0xff) },
        }
      })
      commitFrameSync(store, placeholderCommitter, 1n, changes)
      const rows = store.repository(defineRepository({ bucket: Buckets.vertices, key: KeyCodec.bytes, value: ValueCodec.raw })).range()
      const expected = changes
        .map((c) => [
          Buffer.from([c.ref.kind === "vertex" ? 0 : 1, ...c.ref.id]).toString("hex"),
          Buffer.from(c.next._tag === "Present" ? [1, ...c.next.value] : [0]).toString("hex"),
        ])
        .sort(([a], [b]) => ((a ?? "") < (b ?? "") ? -1 : 1))
      expect(rows.map((r) => [Buffer.from(r.key).toString("hex"), Buffer.from(r.value).toString("hex")])).toEqual(expected)
      const snapshot = storeSnapshot(store.repository(committedAtoms))
      for (const c of changes) expect(snapshot.read(c.ref)).toEqual(c.next)
      await store.close()
    } finally {
      cleanup()
    }
  })
})
