// D-EXEC-29: a bundle is applied at most once. A leader that lagged (its mempool still held a bundle
// the others had committed) or a client's resubmission can put an already-decided bundle into a later
// frame; the host skips it there (`duplicate`), leaves its first decision as it was, and skips a second
// copy inside one frame alike. A revert forgets the reverted frames' decisions, so the bundle can be
// applied again on the new branch.
import { expect, test } from "bun:test"
import { Effect, Metric } from "effect"
import { bundleStatusRows } from "../../../../actors/execution/bundle-status.ts"
import { ApplyFrame, Query, Revert } from "../../../../actors/execution/index.ts"
import { bundleFailures } from "../../../../actors/execution/metrics.ts"
import { Store } from "../../../../runtime/store/index.ts"
import { addr, notes, put, storePaths, withHost } from "./harness.ts"

const storePath = storePaths()

const shard = new Uint8Array(32).fill(0xaa)
const idOf = (n: number): Uint8Array => new Uint8Array(32).fill(n)
const hex = (b: Uint8Array): string => Buffer.from(b).toString("hex")
const frame = (frameNumber: bigint, bundles: ReadonlyArray<{ readonly id: number; readonly bytes: Uint8Array }>) =>
  new ApplyFrame({ frameNumber, bundles: bundles.map((b) => b.bytes), decisions: { shard, ids: bundles.map((b) => idOf(b.id)) } })

const A = { id: 1, bytes: notes(put(1, "a")) }
const B = { id: 2, bytes: notes(put(1, "b")) }
const C = { id: 3, bytes: notes(put(2, "c")) }

test("a bundle decided in an earlier frame, or earlier in the same frame, is skipped and keeps its first decision", async () => {
  const path = storePath()
  const duplicatesBefore = (await Effect.runPromise(Metric.value(bundleFailures("duplicate")))).count
  const out = await withHost(path, (host) =>
    Effect.gen(function* () {
      yield* host.ask(frame(1n, [A]))
      yield* host.ask(frame(2n, [B]))
      // A again: applying it twice would set note 1 back to "a".
      const third = yield* host.ask(frame(3n, [A, C, C]))
      const note = yield* host.ask(new Query({ intrinsic: "notes", name: "note", args: { address: hex(addr(1)) } }))
      const rows = yield* Effect.flatMap(Store, (s) => s.read(() => [1, 3].map((n) => s.repository(bundleStatusRows).get(idOf(n)))))
      return { third, note, rows }
    }),
  )
  expect(out.third.applied.map((r) => (r._tag === "Failed" ? r.reason : "applied"))).toEqual(["duplicate", "applied", "duplicate"])
  expect(out.third.applied[0]).toMatchObject({ detail: "already committed at frame 1" })
  expect(out.third.applied[2]).toMatchObject({ detail: "the same bundle earlier in this frame" })
  expect(out.note).toEqual({ note: "b" })
  expect(out.rows.map((r) => (r === undefined ? undefined : [r.status, r.frameNumber]))).toEqual([
    ["committed", 1n],
    ["committed", 3n],
  ])
  const duplicatesAfter = (await Effect.runPromise(Metric.value(bundleFailures("duplicate")))).count
  expect(duplicatesAfter - duplicatesBefore).toBe(2)
})

test("after a revert the reverted frames' decisions are gone, and the bundle applies on the new branch", async () => {
  const out = await withHost(storePath(), (host) =>
    Effect.gen(function* () {
      yield* host.ask(frame(1n, [B]))
      yield* host.ask(frame(2n, [A]))
      yield* host.ask(new Revert({ toFrame: 1n }))
      const forgotten = yield* Effect.flatMap(Store, (s) => s.read(() => s.repository(bundleStatusRows).get(idOf(A.id))))
      yield* host.ask(frame(2n, [C]))
      const again = yield* host.ask(frame(3n, [A]))
      const note = yield* host.ask(new Query({ intrinsic: "notes", name: "note", args: { address: hex(addr(1)) } }))
      return { forgotten, again, note }
    }),
  )
  expect(out.forgotten).toBeUndefined()
  expect(out.again.applied[0]?._tag).toBe("Applied")
  expect(out.note).toEqual({ note: "a" })
})
