import { describe, expect, test } from "bun:test"
import { Effect, Metric } from "effect"
import {
  ApplyFrame,
  type FailureReason,
  GetHead,
  ListIntrinsics,
  placeholderCommitter,
  Query,
  Revert,
  SelectForProposal,
  type StateCommitter,
} from "../../../../actors/execution/index.ts"
import { bundleFailures } from "../../../../actors/execution/metrics.ts"
import { noteDomain } from "../../intrinsics/contract/fixtures/note-intrinsic.ts"
import { ActorSystem } from "../../../../runtime/kernel/index.ts"
import { FAULT_LATE, faultOps, faultyDomain, lateDomain } from "./fixtures/test-intrinsics.ts"
import { addr, Buckets, bundle, hostOptions, notes, pay, put, rawRows, remove, storePaths, withHost } from "./harness.ts"

const storePath = storePaths()

const hex = (b: Uint8Array): string => Buffer.from(b).toString("hex")
const failureCount = (reason: FailureReason) => Effect.map(Metric.value(bundleFailures(reason)), (s) => s.count)

describe("execution host", () => {
  test("a bundle whose second operation fails leaves none of its writes; the frame continues", async () => {
    const result = await withHost(storePath(), (host) =>
      Effect.gen(function* () {
        const applied = yield* host.ask(
          new ApplyFrame({
            frameNumber: 1n,
            bundles: [notes(put(1, "first"), remove(2)), notes(put(3, "third"))],
          }),
        )
        const missing = yield* Effect.either(host.ask(new Query({ intrinsic: "notes", name: "note", args: { address: hex(addr(1)) } })))
        const kept = yield* host.ask(new Query({ intrinsic: "notes", name: "note", args: { address: hex(addr(3)) } }))
        return { applied, missing, kept }
      }),
    )
    expect(result.applied.applied[0]).toMatchObject({ _tag: "Failed", reason: "rejected", request: 2 })
    expect(result.applied.applied[1]).toEqual({ _tag: "Applied", requests: 2, events: 1 })
    expect(result.applied.changes).toBe(1)
    expect(result.missing._tag).toBe("Left")
    expect(result.kept).toEqual({ note: "third" })
  })

  test("two bundles writing the same id are never selected together; the selection is deterministic", async () => {
    const candidates = [notes(put(1, "a")), notes(put(1, "b")), notes(put(2, "c")), bundle(noteDomain, pay(1000n), remove(2)), new Uint8Array(3)]
    const [first, second] = await withHost(storePath(), (host) =>
      Effect.all([host.ask(new SelectForProposal({ frameNumber: 1n, candidates })), host.ask(new SelectForProposal({ frameNumber: 1n, candidates }))]),
    )
    expect(first.selected).toEqual([0, 2])
    expect(first.refused.map((r) => [r.index, r.reason])).toEqual([[4, "malformed"]])
    expect(second).toEqual(first)
  })

  test("two hosts fed the same frames write byte-identical records, whatever the order of disjoint bundles", async () => {
    const frames = (swap: boolean) => [
      [notes(put(5, "five"), put(9, "nine")), notes(put(1, "one"))],
      swap ? [notes(put(7, "seven")), notes(remove(5))] : [notes(remove(5)), notes(put(7, "seven"))],
    ]
    const run = (swap: boolean) =>
      withHost(storePath(), (host) =>
        Effect.gen(function* () {
          const roots: Array<string> = []
          for (const [i, bundles] of frames(swap).entries())
            roots.push(hex((yield* host.ask(new ApplyFrame({ frameNumber: BigInt(i + 1), bundles: bundles ?? [] }))).root))
          return { records: yield* rawRows(Buckets.executionFrames), atoms: yield* rawRows(Buckets.vertices), roots }
        }),
      )
    const a = await run(false)
    const b = await run(false)
    const c = await run(true)
    expect(a.records.length).toBe(2)
    expect(b).toEqual(a)
    expect(c).toEqual(a)
  })

  test("reverting the newest k frames restores committed state byte for byte", async () => {
    const result = await withHost(storePath(), (host) =>
      Effect.gen(function* () {
        yield* host.ask(new ApplyFrame({ frameNumber: 1n, bundles: [notes(put(1, "one"), put(2, "two"), put(3, "three"))] }))
        const before = { atoms: yield* rawRows(Buckets.vertices), records: yield* rawRows(Buckets.executionFrames) }
        yield* host.ask(new ApplyFrame({ frameNumber: 2n, bundles: [notes(put(1, "uno"), remove(2), put(4, "four"))] }))
        yield* host.ask(new ApplyFrame({ frameNumber: 3n, bundles: [notes(put(1, "eins"), put(4, "vier"), put(5, "fünf"))] }))
        yield* host.ask(new ApplyFrame({ frameNumber: 4n, bundles: [notes(remove(3))] }))
        const changed = yield* rawRows(Buckets.vertices)
        const reverted = yield* host.ask(new Revert({ toFrame: 1n }))
        const after = { atoms: yield* rawRows(Buckets.vertices), records: yield* rawRows(Buckets.executionFrames) }
        const head = yield* host.ask(new GetHead())
        // the host resumes above the restored head
        const next = yield* host.ask(new ApplyFrame({ frameNumber: 2n, bundles: [notes(put(2, "again"))] }))
        return { before, changed, reverted, after, head, next }
      }),
    )
    expect(result.changed).not.toEqual(result.before.atoms)
    expect(result.reverted).toEqual({ reverted: [4n, 3n, 2n], head: 1n })
    expect(result.after).toEqual(result.before)
    expect(result.head).toBe(1n)
    // note 2 was removed in the reverted frame 2; after the revert it is present, so an upsert works
    expect(result.next.applied[0]).toMatchObject({ _tag: "Applied" })
  })

  test("a faulty intrinsic fails only its bundle: throws, loops past the budget, writes outside its set, garbage", async () => {
    const reasons: ReadonlyArray<FailureReason> = ["threw", "timeout", "access-violation", "garbage"]
    const result = await withHost(
      storePath(),
      (host) =>
        Effect.gen(function* () {
          const before = yield* Effect.forEach(reasons, failureCount)
          const applied = yield* host.ask(
            new ApplyFrame({
              frameNumber: 1n,
              bundles: [
                notes(put(1, "before")),
                bundle(faultyDomain, faultOps.throws.encode({ address: addr(1) })),
                bundle(faultyDomain, faultOps.loops.encode({ address: addr(2) })),
                bundle(faultyDomain, faultOps.outside.encode({ address: addr(3) })),
                bundle(faultyDomain, faultOps.garbage.encode({ address: addr(4) })),
                notes(put(2, "after")),
              ],
            }),
          )
          const after = yield* Effect.forEach(reasons, failureCount)
          const head = yield* host.ask(new GetHead())
          const system = yield* ActorSystem.ActorSystem
          const snapshot = yield* system.snapshot
          return { applied, before, after, head, snapshot }
        }),
      hostOptions({ opBudget: "100 millis", checkAccess: true }),
    )
    expect(result.applied.applied.map((r) => (r._tag === "Failed" ? r.reason : "ok"))).toEqual(["ok", ...reasons, "ok"])
    expect(result.applied.changes).toBe(2)
    expect(result.after.map((n, i) => n - (result.before[i] ?? 0))).toEqual([1, 1, 1, 1])
    expect(result.head).toBe(1n)
    expect(JSON.stringify(result.snapshot)).toContain('"restarts":0')
  })

  test("insufficient fees fail the bundle: too few fees for the consumers, or a fee below cost × multiplier", async () => {
    const applied = await withHost(
      storePath(),
      (host) =>
        host.ask(
          new ApplyFrame({
            frameNumber: 1n,
            bundles: [
              bundle(noteDomain, put(1, "no fee at all")),
              bundle(noteDomain, pay(0n), put(1, "zero fees are not queued")),
              bundle(noteDomain, pay(4n), put(1, "hello")), // cost 5 × 2 = 10 > 4
              bundle(noteDomain, pay(10n), put(1, "hello")),
            ],
          }),
        ),
      hostOptions({ feeMultiplier: () => 2n }),
    )
    expect(applied.applied.map((r) => (r._tag === "Failed" ? r.reason : "ok"))).toEqual(["insufficient-fee", "insufficient-fee", "insufficient-fee", "ok"])
  })

  test("a zero multiplier (a network without a fee market) lets consumers run without fees; any other keeps the rule", async () => {
    const outcomes = async (multiplier: bigint) =>
      (
        await withHost(
          storePath(),
          (host) => host.ask(new ApplyFrame({ frameNumber: 1n, bundles: [bundle(noteDomain, put(1, "no fee at all"))] })),
          hostOptions({ feeMultiplier: () => multiplier }),
        )
      ).applied.map((r) => (r._tag === "Failed" ? r.reason : "ok"))
    expect(await outcomes(0n)).toEqual(["ok"])
    expect(await outcomes(1n)).toEqual(["insufficient-fee"])
  })

  test("the resolver refuses unknown op types, unknown domains, inactive intrinsics and malformed bundles with typed reasons", async () => {
    const applied = await withHost(storePath(), (host) =>
      host.ask(
        new ApplyFrame({
          frameNumber: 1n,
          bundles: [
            bundle(noteDomain, pay(1000n), Uint8Array.of(0, 0, 0x99, 0x99, 1)),
            bundle(addr(0x13), pay(1000n)),
            bundle(lateDomain, faultOps.late.encode({ address: addr(1) })),
            new Uint8Array([1, 2, 3]),
            bundle(faultyDomain, put(1, "a note request in a faulty bundle")),
          ],
        }),
      ),
    )
    expect(FAULT_LATE).toBe(0x7205)
    expect(applied.applied.map((r) => (r._tag === "Failed" ? r.reason : "ok"))).toEqual([
      "unknown-op-type",
      "unknown-domain",
      "inactive",
      "malformed",
      "foreign-request",
    ])
  })

  test("frames apply in increasing order; the head survives a restart of the host", async () => {
    const path = storePath()
    await withHost(path, (host) => host.ask(new ApplyFrame({ frameNumber: 5n, bundles: [notes(put(1, "x"))] })))
    const again = await withHost(path, (host) =>
      Effect.gen(function* () {
        const head = yield* host.ask(new GetHead())
        const stale = yield* Effect.either(host.ask(new ApplyFrame({ frameNumber: 5n, bundles: [] })))
        return { head, stale }
      }),
    )
    expect(again.head).toBe(5n)
    expect(again.stale._tag === "Left" && again.stale.left._tag).toBe("FrameOutOfOrder")
  })

  test("ListIntrinsics and Query go through the registry", async () => {
    const result = await withHost(storePath(), (host) =>
      Effect.gen(function* () {
        yield* host.ask(new ApplyFrame({ frameNumber: 1n, bundles: [notes(put(7, "seven"))] }))
        const list = yield* host.ask(new ListIntrinsics())
        const note = yield* host.ask(new Query({ intrinsic: "notes", name: "note", args: { address: hex(addr(7)) } }))
        const bad = yield* Effect.either(host.ask(new Query({ intrinsic: "notes", name: "note", args: { address: 1 } })))
        const unknown = yield* Effect.either(host.ask(new Query({ intrinsic: "nope", name: "note", args: {} })))
        return { list, note, bad, unknown }
      }),
    )
    expect(result.list.map((i) => i.name)).toEqual(["notes", "payer", "faulty", "late"])
    expect(result.list[0]).toEqual({ name: "notes", version: "0.1.0", baseDomain: "42".repeat(32), opTypes: [0x7001, 0x7002] })
    expect(result.note).toEqual({ note: "seven" })
    expect(result.bad._tag === "Left" && result.bad.left._tag === "QueryFailed" && result.bad.left.kind).toBe("bad-request")
    expect(result.unknown._tag === "Left" && result.unknown.left._tag === "QueryFailed" && result.unknown.left.kind).toBe("unknown-intrinsic")
  })

  test("the state committer gives each frame's root inside its commit, hears reverts and each transaction's outcome", async () => {
    const reverted: Array<bigint> = []
    const settled: Array<string> = []
    const committer: StateCommitter = {
      ...placeholderCommitter,
      commit: (_tx, frameNumber, changes) => Uint8Array.of(Number(frameNumber), changes.length),
      revert: (_tx, frameNumber) => {
        reverted.push(frameNumber)
      },
      settle: (outcome) => {
        settled.push(outcome)
      },
    }
    const roots = await withHost(
      storePath(),
      (host) =>
        Effect.gen(function* () {
          const one = yield* host.ask(new ApplyFrame({ frameNumber: 1n, bundles: [notes(put(1, "a"), put(2, "b"))] }))
          const two = yield* host.ask(new ApplyFrame({ frameNumber: 2n, bundles: [] }))
          yield* host.ask(new Revert({ toFrame: 0n }))
          return [hex(one.root), hex(two.root)]
        }),
      hostOptions({ committer }),
    )
    expect(roots).toEqual(["0102", "0200"])
    expect(reverted).toEqual([2n, 1n])
    expect(settled).toEqual(["committed", "committed", "committed"])
  })

  test("an uninterruptible operation past its budget is given up on without waiting; its late writes land nowhere", async () => {
    const result = await withHost(
      storePath(),
      (host) =>
        Effect.gen(function* () {
          const started = Date.now()
          const first = yield* host.ask(
            new ApplyFrame({
              frameNumber: 1n,
              bundles: [bundle(faultyDomain, faultOps.stuck.encode({ address: addr(1) })), notes(put(1, "one")), notes(put(2, "two"))],
            }),
          )
          const elapsed = Date.now() - started
          yield* Effect.sleep("400 millis") // the stuck operation returns and tries to write
          const second = yield* host.ask(new ApplyFrame({ frameNumber: 2n, bundles: [notes(put(3, "three"))] }))
          const atoms = yield* rawRows(Buckets.vertices)
          return { first, elapsed, second, atoms }
        }),
      hostOptions({ opBudget: "50 millis" }),
    )
    expect(result.first.applied.map((r) => (r._tag === "Failed" ? r.reason : "ok"))).toEqual(["timeout", "ok", "ok"])
    expect(result.elapsed).toBeLessThan(290)
    expect(result.second.applied[0]).toMatchObject({ _tag: "Applied" })
    // notes 1, 2, 3 only: nothing of the faulty domain
    expect(result.atoms.length).toBe(3)
    expect(result.atoms.every(([key]) => key.startsWith(`00${"42".repeat(32)}`))).toBe(true)
  })
})
