// FrameStore.createdSince (D-EXEC-28): the vertices committed frames created under a domain, read from
// the frame records: updates, removals, hyperedges and other domains are left out; whole frames, oldest
// first, with the last frame scanned; a reverted frame is no longer listed.
import { expect, test } from "bun:test"
import { Effect } from "effect"
import { placeholderCommitter } from "../../../../actors/execution/committer.ts"
import { makeFrameStore } from "../../../../actors/execution/frame-store.ts"
import type { Change } from "../../../../actors/execution/overlay/index.ts"
import { openStore } from "../../../../runtime/store/index.ts"
import { tempStorePath } from "./harness.ts"

const idOf = (domain: number, n: number): Uint8Array => {
  const id = new Uint8Array(64).fill(domain, 0, 32)
  id[63] = n
  return id
}
const created = (domain: number, n: number): Change => ({
  ref: { kind: "vertex", id: idOf(domain, n) },
  prior: { _tag: "Absent" },
  next: { _tag: "Present", value: Uint8Array.of(n) },
})

test("createdSince lists created vertices of one domain, frame by frame, and forgets reverted frames", async () => {
  const { path, cleanup } = tempStorePath()
  try {
    const store = await Effect.runPromise(openStore({ path }))
    const frames = makeFrameStore(store, placeholderCommitter)
    const A = new Uint8Array(32).fill(0xaa)
    expect(frames.createdSince(A, undefined, 10)).toEqual({ ids: [], scannedTo: undefined })
    await Effect.runPromise(frames.commit(1n, [created(0xaa, 1), created(0xbb, 2), { ...created(0xaa, 3), ref: { kind: "hyperedge", id: idOf(0xaa, 3) } }]))
    await Effect.runPromise(
      frames.commit(2n, [
        { ref: { kind: "vertex", id: idOf(0xaa, 1) }, prior: { _tag: "Present", value: Uint8Array.of(1) }, next: { _tag: "Present", value: Uint8Array.of(9) } },
        created(0xaa, 4),
        created(0xaa, 5),
      ]),
    )
    await Effect.runPromise(frames.commit(3n, [{ ...created(0xaa, 6), next: { _tag: "Removed" } }, created(0xaa, 7)]))
    const n = (r: ReturnType<typeof frames.createdSince>) => [r.ids.map((x) => [x.frameNumber, x.id[63]]), r.scannedTo]
    expect(n(frames.createdSince(A, undefined, 10))).toEqual([
      [
        [1n, 1],
        [2n, 4],
        [2n, 5],
        [3n, 7],
      ],
      3n,
    ])
    expect(n(frames.createdSince(A, 1n, 10))).toEqual([
      [
        [2n, 4],
        [2n, 5],
        [3n, 7],
      ],
      3n,
    ])
    // The limit stops at a frame boundary: frame 2 is answered whole.
    expect(n(frames.createdSince(A, 1n, 1))).toEqual([
      [
        [2n, 4],
        [2n, 5],
      ],
      2n,
    ])
    expect(n(frames.createdSince(A, 3n, 10))).toEqual([[], 3n])
    await Effect.runPromise(frames.revertTo(2n))
    expect(n(frames.createdSince(A, 1n, 10))).toEqual([
      [
        [2n, 4],
        [2n, 5],
      ],
      2n,
    ])
    await store.close()
  } finally {
    cleanup()
  }
})
