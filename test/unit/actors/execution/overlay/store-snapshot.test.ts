import { afterEach, expect, test } from "bun:test"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import { atomId, hyperedge, vertex } from "../../../../../intrinsics/contract/index.ts"
import {
  type Change,
  type CommittedSnapshot,
  committedAtoms,
  FrameOverlay,
  storeSnapshot,
  writeChanges,
} from "../../../../../actors/execution/overlay/index.ts"
import { openStore } from "../../../../../runtime/store/index.ts"

const dirs: Array<string> = []
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

const id = (n: number): Uint8Array => atomId(new Uint8Array(32).fill(0x42), new Uint8Array(32).fill(n))

test("committed state over the store: a frame's changes written in one commit read back as the next frame's snapshot", async () => {
  const dir = mkdtempSync(join(tmpdir(), "quilbun-overlay-"))
  dirs.push(dir)
  const store = await Effect.runPromise(openStore({ path: join(dir, "master") }))
  try {
    const atoms = store.repository(committedAtoms)
    const snapshot: CommittedSnapshot = storeSnapshot(atoms)
    const first = new FrameOverlay(snapshot)
    const bundle = Either.getOrThrow(first.openBundle())
    Either.getOrThrow(bundle.put(vertex(id(1)), Uint8Array.of(1, 2), "create"))
    Either.getOrThrow(bundle.put(vertex(id(2)), Uint8Array.of(2), "create"))
    Either.getOrThrow(bundle.put(hyperedge(id(1)), Uint8Array.of(9), "create"))
    Either.getOrThrow(bundle.fold())
    const changes: ReadonlyArray<Change> = first.changes()
    await Effect.runPromise(store.commit((tx) => writeChanges(tx, atoms, changes)))

    const second = new FrameOverlay(storeSnapshot(atoms))
    expect(second.get(vertex(id(1)))).toEqual({ _tag: "Present", value: Uint8Array.of(1, 2) })
    expect(second.get(hyperedge(id(1)))).toEqual({ _tag: "Present", value: Uint8Array.of(9) })
    expect(second.get(hyperedge(id(2)))._tag).toBe("Absent")
    Either.getOrThrow(second.remove(vertex(id(2))))
    expect(second.changes()).toEqual([{ ref: vertex(id(2)), prior: { _tag: "Present", value: Uint8Array.of(2) }, next: { _tag: "Removed" } }])
    await Effect.runPromise(store.commit((tx) => writeChanges(tx, atoms, second.changes())))

    const third = new FrameOverlay(storeSnapshot(atoms))
    expect(third.get(vertex(id(2)))._tag).toBe("Removed")
    expect(Either.isLeft(third.put(vertex(id(2)), Uint8Array.of(3), "upsert"))).toBe(true)
    expect(storeSnapshot(atoms).read({ kind: "vertex", id: new Uint8Array(5) })._tag).toBe("Absent")
  } finally {
    await store.close()
  }
})

test("snapshot reads decode from lmdb's reused read buffer: every size reads back exact, and an answer survives the next read", async () => {
  const dir = mkdtempSync(join(tmpdir(), "quilbun-overlay-"))
  dirs.push(dir)
  const store = await Effect.runPromise(openStore({ path: join(dir, "master") }))
  try {
    const atoms = store.repository(committedAtoms)
    // Small values are copied by hand, large ones by slice; a large read after a small one (and
    // the reverse) once copied the reused buffer's whole capacity, not the value.
    const sizes = [0, 1, 5, 255, 256, 257, 300, 4000, 70_000, 3]
    const value = (n: number, i: number): Uint8Array => Uint8Array.from({ length: n }, (_, k) => (k * 7 + i) & 0xff)
    const frame = new FrameOverlay(storeSnapshot(atoms))
    const bundle = Either.getOrThrow(frame.openBundle())
    for (const [i, n] of sizes.entries()) Either.getOrThrow(bundle.put(vertex(id(i + 1)), value(n, i), "create"))
    Either.getOrThrow(bundle.fold())
    await Effect.runPromise(store.commit((tx) => writeChanges(tx, atoms, frame.changes())))

    const snapshot = storeSnapshot(atoms)
    const answers = sizes.map((_, i) => snapshot.read(vertex(id(i + 1))))
    // Read in both orders; earlier answers must not change when later reads reuse the buffer.
    const again = sizes.map((_, i) => snapshot.read(vertex(id(sizes.length - i)))).reverse()
    for (const [i, n] of sizes.entries()) {
      expect(answers[i]).toEqual({ _tag: "Present", value: value(n, i) })
      expect(again[i]).toEqual({ _tag: "Present", value: value(n, i) })
    }
  } finally {
    await store.close()
  }
})
