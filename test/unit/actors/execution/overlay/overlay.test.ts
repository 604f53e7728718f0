import { describe, expect, test } from "bun:test"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import { type AtomRef, atomId, hyperedge, type Lookup, type StateView, vertex } from "../../../../../intrinsics/contract/index.ts"
import { type BundleOverlay, encodeChanges, FrameOverlay, MemoryCommitted, type OverlayOptions } from "../../../../../actors/execution/overlay/index.ts"
import { leakyNotePut, noteDomain, notePut, noteRemove, testCtx } from "../../../intrinsics/contract/fixtures/note-intrinsic.ts"

const addr = (n: number): Uint8Array => new Uint8Array(32).fill(n)
const id = (n: number): Uint8Array => atomId(noteDomain, addr(n))
const bytes = (...xs: Array<number>): Uint8Array => Uint8Array.from(xs)
const ok = <E>(result: Either.Either<void, E>): void => {
  if (Either.isLeft(result)) throw new Error(`expected success, got ${String(result.left)}`)
}
const errorTag = <E extends { readonly _tag: string }>(result: Either.Either<unknown, E>): string | undefined =>
  Either.isLeft(result) ? result.left._tag : undefined
const openBundle = (frame: FrameOverlay): BundleOverlay => Either.getOrThrow(frame.openBundle())

/** Committed state with vertex 1 = [1] and vertex 2 removed. */
const committedFixture = (): MemoryCommitted => {
  const committed = new MemoryCommitted()
  committed.commit([
    { ref: vertex(id(1)), prior: { _tag: "Absent" }, next: { _tag: "Present", value: bytes(1) } },
    { ref: vertex(id(2)), prior: { _tag: "Absent" }, next: { _tag: "Removed" } },
  ])
  return committed
}

describe("reads through the layers", () => {
  test("a staged removal answers Removed to later reads — distinct from never-existed", () => {
    const frame = new FrameOverlay(committedFixture())
    const bundle = openBundle(frame)
    expect(bundle.get(vertex(id(1)))).toEqual({ _tag: "Present", value: bytes(1) })
    ok(bundle.remove(vertex(id(1))))
    expect(bundle.get(vertex(id(1)))._tag).toBe("Removed")
    expect(bundle.get(vertex(id(9)))._tag).toBe("Absent")
    // the frame does not see the bundle's removal until the bundle folds
    expect(frame.get(vertex(id(1)))._tag).toBe("Present")
    ok(bundle.fold())
    expect(frame.get(vertex(id(1)))._tag).toBe("Removed")
    // and a removed id cannot be written again in any mode, in this bundle or a later one
    const next = openBundle(frame)
    for (const mode of ["create", "update", "upsert"] as const) {
      expect(errorTag(next.put(vertex(id(1)), bytes(2), mode))).toBe("WriteRefused")
    }
    expect(errorTag(next.remove(vertex(id(1))))).toBe("WriteRefused")
  })

  test("write modes: create needs absent, update needs present, upsert refuses only removed", () => {
    const frame = new FrameOverlay(committedFixture())
    const b = openBundle(frame)
    const refused = b.put(vertex(id(1)), bytes(9), "create")
    expect(Either.isLeft(refused) && refused.left.message).toBe(`create of vertex ${"42".repeat(32)}${"01".repeat(32)} refused: it is present`)
    ok(b.put(vertex(id(1)), bytes(9), "update"))
    expect(errorTag(b.put(vertex(id(3)), bytes(9), "update"))).toBe("WriteRefused")
    ok(b.put(vertex(id(3)), bytes(9), "create"))
    ok(b.put(vertex(id(3)), bytes(8), "upsert"))
    expect(errorTag(b.put(vertex(id(2)), bytes(9), "upsert"))).toBe("WriteRefused")
    expect(errorTag(b.remove(vertex(id(4))))).toBe("WriteRefused")
    expect(errorTag(b.put({ kind: "vertex", id: new Uint8Array(63) }, bytes(1), "upsert"))).toBe("MalformedAtomId")
    // vertices and hyperedges are separate sets
    ok(b.put(hyperedge(id(1)), bytes(7), "create"))
    expect(b.get(hyperedge(id(1)))).toEqual({ _tag: "Present", value: bytes(7) })
    expect(b.get(vertex(id(1)))).toEqual({ _tag: "Present", value: bytes(9) })
  })

  test("view functions can be passed around detached from their overlay", () => {
    const frame = new FrameOverlay(committedFixture())
    const { get, put } = openBundle(frame)
    ok(put(vertex(id(3)), bytes(3), "create"))
    expect([id(1), id(2), id(3), id(4)].map((i) => get(vertex(i))._tag)).toEqual(["Present", "Removed", "Present", "Absent"])
    const { read } = committedFixture()
    expect(read(vertex(id(1)))._tag).toBe("Present")
  })

  test("values are copied in and out: mutating an array after put or get changes nothing", () => {
    const frame = new FrameOverlay(new MemoryCommitted())
    const b = openBundle(frame)
    const value = bytes(1, 2, 3)
    ok(b.put(vertex(id(5)), value, "create"))
    value[0] = 99
    const read = b.get(vertex(id(5)))
    if (read._tag === "Present") read.value[1] = 99
    expect(b.get(vertex(id(5)))).toEqual({ _tag: "Present", value: bytes(1, 2, 3) })
  })
})

describe("bundle atomicity", () => {
  test("a discarded bundle leaves no trace; a folded one lands whole", () => {
    const frame = new FrameOverlay(committedFixture())
    const failed = openBundle(frame)
    ok(failed.put(vertex(id(3)), bytes(3), "create"))
    ok(failed.remove(vertex(id(1))))
    failed.discard()
    expect(frame.get(vertex(id(3)))._tag).toBe("Absent")
    expect(frame.get(vertex(id(1)))._tag).toBe("Present")
    expect(frame.changes()).toEqual([])

    const good = openBundle(frame)
    ok(good.put(vertex(id(3)), bytes(3), "create"))
    ok(good.remove(vertex(id(1))))
    ok(good.fold())
    expect(frame.changes().map((c) => [c.ref.id[63], c.prior._tag, c.next._tag])).toEqual([
      [1, "Present", "Removed"],
      [3, "Absent", "Present"],
    ])
  })

  test("a closed bundle refuses writes and a second fold; bundles open one at a time; the frame refuses direct writes meanwhile", () => {
    const frame = new FrameOverlay(new MemoryCommitted())
    const first = openBundle(frame)
    expect(errorTag(frame.openBundle())).toBe("OverlayClosed")
    expect(errorTag(frame.put(vertex(id(1)), bytes(1), "create"))).toBe("OverlayClosed")
    ok(first.put(vertex(id(1)), bytes(1), "create"))
    ok(first.fold())
    expect(first.isOpen).toBe(false)
    expect(errorTag(first.fold())).toBe("OverlayClosed")
    expect(errorTag(first.put(vertex(id(2)), bytes(1), "create"))).toBe("OverlayClosed")
    first.discard() // no-op: the fold stands
    expect(first.get(vertex(id(1)))).toEqual({ _tag: "Present", value: bytes(1) })
    const second = openBundle(frame)
    second.discard()
    ok(frame.put(vertex(id(2)), bytes(2), "create"))
    expect(frame.changes()).toHaveLength(2)
  })

  test("the host loop: an operation failing mid-bundle drops the bundle's earlier writes too", async () => {
    const frame = new FrameOverlay(new MemoryCommitted())
    const ctx = testCtx()
    const runBundle = (ops: ReadonlyArray<Uint8Array>) =>
      Effect.gen(function* () {
        const bundle = openBundle(frame)
        const result = yield* Effect.either(
          Effect.forEach(ops, (raw) =>
            Effect.gen(function* () {
              const op = yield* (raw[3] === 0x01 ? notePut : noteRemove).decode(raw)
              yield* op.validate(bundle, ctx)
              return yield* op.apply(bundle.forOperation(op.accessSet(ctx)), ctx)
            }),
          ),
        )
        if (Either.isLeft(result)) bundle.discard()
        else ok(bundle.fold())
        return result
      })
    const put = (n: number) => notePut.encode({ domain: noteDomain, address: addr(n), note: bytes(n) })
    const remove = (n: number) => noteRemove.encode({ domain: noteDomain, address: addr(n) })
    const failed = await Effect.runPromise(runBundle([put(1), put(2), remove(7)]))
    expect(Either.isLeft(failed) && failed.left.message).toBe("operation 0x7002: state: no such note")
    expect(frame.changes()).toEqual([])
    const passed = await Effect.runPromise(runBundle([put(1), remove(1), put(2)]))
    expect(Either.isRight(passed) && passed.right.map((events) => events[0]?.kind)).toEqual(["note-written", "note-removed", "note-written"])
    expect(frame.changes().map((c) => [c.ref.id[63], c.next._tag])).toEqual([
      [1, "Removed"],
      [2, "Present"],
    ])
  })
})

describe("access-set assertion (test builds)", () => {
  const op = { domain: noteDomain, address: addr(4), note: bytes(4) }

  test("a write outside the declared write set is a typed AccessViolation", async () => {
    const testBuild: OverlayOptions = { checkAccess: true }
    const frame = new FrameOverlay(new MemoryCommitted(), testBuild)
    const bundle = openBundle(frame)
    const leaky = leakyNotePut.bind(op)
    const result = await Effect.runPromise(Effect.either(leaky.apply(bundle.forOperation(leaky.accessSet(testCtx())), testCtx())))
    expect(Either.isLeft(result) && result.left._tag).toBe("AccessViolation")
    expect(Either.isLeft(result) && result.left.message).toBe(
      `write to vertex ${"42".repeat(32)}${"04".repeat(32)} is outside the operation's declared write set`,
    )
    const honest = notePut.bind(op)
    const applied = await Effect.runPromise(Effect.either(honest.apply(bundle.forOperation(honest.accessSet(testCtx())), testCtx())))
    expect(Either.isRight(applied)).toBe(true)
  })

  test("without the flag the same write passes (production skips the check)", async () => {
    const bundle = openBundle(new FrameOverlay(new MemoryCommitted()))
    const leaky = leakyNotePut.bind(op)
    const result = await Effect.runPromise(Effect.either(leaky.apply(bundle.forOperation(leaky.accessSet(testCtx())), testCtx())))
    expect(Either.isRight(result)).toBe(true)
  })
})

describe("change list", () => {
  const writes: ReadonlyArray<readonly [AtomRef, Lookup]> = [
    [vertex(id(9)), { _tag: "Present", value: bytes(9) }],
    [hyperedge(id(3)), { _tag: "Present", value: bytes(3) }],
    [vertex(id(1)), { _tag: "Removed" }],
    [vertex(id(4)), { _tag: "Present", value: bytes(4, 4) }],
    [vertex(id(3)), { _tag: "Present", value: bytes(33) }],
  ]

  const frameWith = (order: ReadonlyArray<number>, bundles: boolean): FrameOverlay => {
    const frame = new FrameOverlay(committedFixture())
    for (const i of order) {
      const [ref, next] = writes[i] ?? []
      if (ref === undefined || next === undefined) throw new Error("bad index")
      const write = (view: StateView) => (next._tag === "Present" ? view.put(ref, next.value, "upsert") : view.remove(ref))
      if (bundles) {
        const bundle = openBundle(frame)
        ok(write(bundle))
        ok(bundle.fold())
      } else ok(write(frame))
    }
    return frame
  }

  test("sorted by (kind, id) with priors, byte-identical whatever the insertion order", () => {
    const reference = encodeChanges(frameWith([0, 1, 2, 3, 4], false).changes())
    for (const order of [
      [4, 3, 2, 1, 0],
      [2, 0, 4, 1, 3],
    ]) {
      expect(encodeChanges(frameWith(order, false).changes())).toEqual(reference)
      expect(encodeChanges(frameWith(order, true).changes())).toEqual(reference)
    }
    const changes = frameWith([2, 0, 4, 1, 3], true).changes()
    expect(changes.map((c) => `${c.ref.kind}:${c.ref.id[63]}:${c.prior._tag}`)).toEqual([
      "vertex:1:Present",
      "vertex:3:Absent",
      "vertex:4:Absent",
      "vertex:9:Absent",
      "hyperedge:3:Absent",
    ])
  })

  test("one change per atom: the prior is the committed state, not an intermediate one", () => {
    const frame = new FrameOverlay(committedFixture())
    for (const v of [5, 6, 7]) {
      const b = openBundle(frame)
      ok(b.put(vertex(id(1)), bytes(v), "update"))
      ok(b.fold())
    }
    expect(frame.changes()).toEqual([{ ref: vertex(id(1)), prior: { _tag: "Present", value: bytes(1) }, next: { _tag: "Present", value: bytes(7) } }])
  })

  test("canonical encoding layout", () => {
    const frame = new FrameOverlay(new MemoryCommitted())
    ok(frame.put(hyperedge(id(2)), bytes(0xab), "create"))
    const hex = Buffer.from(encodeChanges(frame.changes())).toString("hex")
    expect(hex).toBe("00000001" + "01" + "42".repeat(32) + "02".repeat(32) + "00" + "02" + "00000001ab")
  })
})
