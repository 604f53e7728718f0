// The overlays against a reference model: three plain maps (committed, frame, bundle) and the
// write rules spelled out again, independently of write-rules.ts. Random command sequences
// (put/remove on the bundle or the frame, reads at every layer, fold, discard, commit) must give
// the same answers, the same refusals and the same change lists.
import { expect, test } from "bun:test"
import * as Either from "effect/Either"
import fc from "fast-check"
import { type AtomKind, type AtomRef, atomId, type Lookup, type WriteMode } from "../../../../../intrinsics/contract/index.ts"
import { type BundleOverlay, FrameOverlay, MemoryCommitted } from "../../../../../actors/execution/overlay/index.ts"

type Target = "bundle" | "frame"
type Command =
  | { readonly t: "put"; readonly target: Target; readonly slot: number; readonly kind: AtomKind; readonly mode: WriteMode; readonly value: number }
  | { readonly t: "remove"; readonly target: Target; readonly slot: number; readonly kind: AtomKind }
  | { readonly t: "read"; readonly layer: Target | "committed"; readonly slot: number; readonly kind: AtomKind }
  | { readonly t: "open" }
  | { readonly t: "fold" }
  | { readonly t: "discard" }
  | { readonly t: "commit" }

const SLOTS = 3
const refOf = (slot: number, kind: AtomKind): AtomRef => ({ kind, id: atomId(new Uint8Array(32).fill(0x11), new Uint8Array(32).fill(slot)) })
const keyOf = (slot: number, kind: AtomKind): string => `${kind === "vertex" ? 0 : 1}:${slot}`

const slot = fc.integer({ min: 0, max: SLOTS - 1 })
const kind = fc.constantFrom<AtomKind>("vertex", "hyperedge")
const target = fc.constantFrom<Target>("bundle", "frame")
const command: fc.Arbitrary<Command> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      t: fc.constant("put" as const),
      target,
      slot,
      kind,
      mode: fc.constantFrom<WriteMode>("create", "update", "upsert"),
      value: fc.integer({ min: 0, max: 255 }),
    }),
  },
  { weight: 2, arbitrary: fc.record({ t: fc.constant("remove" as const), target, slot, kind }) },
  {
    weight: 3,
    arbitrary: fc.record({ t: fc.constant("read" as const), layer: fc.constantFrom<Target | "committed">("bundle", "frame", "committed"), slot, kind }),
  },
  { weight: 2, arbitrary: fc.constant({ t: "open" as const }) },
  { weight: 1, arbitrary: fc.constant({ t: "fold" as const }) },
  { weight: 1, arbitrary: fc.constant({ t: "discard" as const }) },
  { weight: 1, arbitrary: fc.constant({ t: "commit" as const }) },
)

/** The model's state of an atom: absent, removed, or a one-byte value. */
type M = "absent" | "removed" | number

class Model {
  committed = new Map<string, M>()
  frame = new Map<string, M>()
  bundle: Map<string, M> | undefined

  read(layer: Target | "committed", key: string): M {
    const c = this.committed.get(key) ?? "absent"
    if (layer === "committed") return c
    const f = this.frame.get(key) ?? c
    return layer === "frame" ? f : (this.bundle?.get(key) ?? f)
  }

  /** undefined = accepted; otherwise the refusal's tag. */
  write(target: Target, key: string, next: M, rule: (current: M) => boolean): string | undefined {
    if (target === "frame" && this.bundle !== undefined) return "OverlayClosed"
    if (target === "bundle" && this.bundle === undefined) return "OverlayClosed"
    if (!rule(this.read(target, key))) return "WriteRefused"
    ;(target === "frame" ? this.frame : (this.bundle ?? this.frame)).set(key, next)
    return undefined
  }
}

const allows = (mode: WriteMode, current: M): boolean =>
  mode === "create" ? current === "absent" : mode === "update" ? typeof current === "number" : current !== "removed"

const asModel = (l: Lookup): M => (l._tag === "Present" ? (l.value[0] ?? -1) : l._tag === "Absent" ? "absent" : "removed")
const tagOf = (r: Either.Either<void, { readonly _tag: string }>): string | undefined => (Either.isLeft(r) ? r.left._tag : undefined)

test("overlays agree with a reference map model under random put/remove/read/fold/discard/commit sequences", () => {
  fc.assert(
    fc.property(fc.array(command, { maxLength: 60 }), (commands) => {
      const model = new Model()
      const committed = new MemoryCommitted()
      let frame = new FrameOverlay(committed)
      let bundle: BundleOverlay | undefined // the latest bundle, possibly closed (writes to it must be refused)
      for (const c of commands) {
        switch (c.t) {
          case "open": {
            const opened = frame.openBundle()
            expect(Either.isRight(opened)).toBe(model.bundle === undefined)
            if (Either.isRight(opened)) {
              bundle = opened.right
              model.bundle = new Map()
            }
            break
          }
          case "put":
          case "remove": {
            const view = c.target === "frame" ? frame : bundle
            if (view === undefined) break
            const key = keyOf(c.slot, c.kind)
            const ref = refOf(c.slot, c.kind)
            const expected =
              c.t === "put"
                ? model.write(c.target, key, c.value, (cur) => allows(c.mode, cur))
                : model.write(c.target, key, "removed", (cur) => typeof cur === "number")
            const actual = c.t === "put" ? view.put(ref, Uint8Array.of(c.value), c.mode) : view.remove(ref)
            expect(tagOf(actual)).toBe(expected)
            break
          }
          case "read": {
            const ref = refOf(c.slot, c.kind)
            const key = keyOf(c.slot, c.kind)
            if (c.layer === "committed") expect(asModel(committed.read(ref))).toBe(model.read("committed", key))
            else if (c.layer === "frame") expect(asModel(frame.get(ref))).toBe(model.read("frame", key))
            else if (bundle !== undefined && model.bundle !== undefined) expect(asModel(bundle.get(ref))).toBe(model.read("bundle", key))
            break
          }
          case "fold": {
            if (bundle === undefined) break
            expect(Either.isRight(bundle.fold())).toBe(model.bundle !== undefined)
            for (const [k, v] of model.bundle ?? []) model.frame.set(k, v)
            model.bundle = undefined
            break
          }
          case "discard": {
            bundle?.discard()
            model.bundle = undefined
            break
          }
          case "commit": {
            // The host commits only after the last bundle: an open bundle is discarded first.
            bundle?.discard()
            model.bundle = undefined
            const changes = frame.changes()
            const expectedKeys = [...model.frame.keys()].sort()
            expect(changes.map((ch) => keyOf(ch.ref.id[63] ?? -1, ch.ref.kind))).toEqual(expectedKeys)
            for (const ch of changes) {
              const k = keyOf(ch.ref.id[63] ?? -1, ch.ref.kind)
              expect(asModel(ch.prior)).toBe(model.committed.get(k) ?? "absent")
              expect(asModel(ch.next)).toBe(model.frame.get(k) ?? "absent")
            }
            committed.commit(changes)
            for (const [k, v] of model.frame) model.committed.set(k, v)
            model.frame = new Map()
            frame = new FrameOverlay(committed)
            bundle = undefined
            break
          }
        }
      }
      // Finally every atom reads the same at every layer.
      for (let s = 0; s < SLOTS; s++) {
        for (const k of ["vertex", "hyperedge"] as const) {
          expect(asModel(frame.get(refOf(s, k)))).toBe(model.read("frame", keyOf(s, k)))
          expect(asModel(committed.read(refOf(s, k)))).toBe(model.read("committed", keyOf(s, k)))
          if (bundle !== undefined && model.bundle !== undefined) expect(asModel(bundle.get(refOf(s, k)))).toBe(model.read("bundle", keyOf(s, k)))
        }
      }
    }),
    { numRuns: 3_000 },
  )
})
