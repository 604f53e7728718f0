// The 2P2P mapping of a frame change onto the four id-set tries (spec §3.2) and its exact inverse.
import { describe, expect, test } from "bun:test"
import * as Either from "effect/Either"
import { forwardEdits, inverseEdits } from "../../../../../actors/execution/state/id-sets.ts"
import type { Change } from "../../../../../actors/execution/overlay/index.ts"
import { Absent, present, Removed } from "../../../../../intrinsics/contract/index.ts"

const id = new Uint8Array(64).fill(7)
const v = Uint8Array.of(1, 2, 3)
const w = Uint8Array.of(9)
const change = (kind: "vertex" | "hyperedge", prior: Change["prior"], next: Change["next"]): Change => ({ ref: { kind, id }, prior, next })
const edits = (c: Change) => Either.getOrThrow(forwardEdits(c))
const inverse = (c: Change) => Either.getOrThrow(inverseEdits(c))

describe("id-set edits", () => {
  test("an add inserts the value into adds; a re-add overwrites it; the inverse deletes or restores", () => {
    expect(edits(change("vertex", Absent, present(v)))).toEqual([{ set: 0, value: v }])
    expect(inverse(change("vertex", Absent, present(v)))).toEqual([{ set: 0, value: undefined }])
    expect(edits(change("hyperedge", present(v), present(w)))).toEqual([{ set: 2, value: w }])
    expect(inverse(change("hyperedge", present(v), present(w)))).toEqual([{ set: 2, value: v }])
  })
  test("removing a live atom inserts its prior bytes into removes only", () => {
    expect(edits(change("vertex", present(v), Removed))).toEqual([{ set: 1, value: v }])
    expect(inverse(change("vertex", present(v), Removed))).toEqual([{ set: 1, value: undefined }])
  })
  test("removing an absent atom is a tombstone: empty bytes into adds and removes", () => {
    expect(edits(change("hyperedge", Absent, Removed))).toEqual([
      { set: 2, value: new Uint8Array(0) },
      { set: 3, value: new Uint8Array(0) },
    ])
    expect(inverse(change("hyperedge", Absent, Removed))).toEqual([
      { set: 2, value: undefined },
      { set: 3, value: undefined },
    ])
  })
  test("removed → removed edits nothing; removed → present and a change to absent are refused", () => {
    expect(edits(change("vertex", Removed, Removed))).toEqual([])
    expect(Either.isLeft(forwardEdits(change("vertex", Removed, present(v))))).toBe(true)
    expect(Either.isLeft(inverseEdits(change("vertex", present(v), Absent)))).toBe(true)
  })
})
