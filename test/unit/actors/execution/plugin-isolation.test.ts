// Plugin isolation in the execution host (plugins/README.md "Isolation", DECISIONS D-EXEC-24): a plugin
// that throws, loops, writes outside its access set or reads the clock / randomness fails only its
// bundle; the other plugins' bundles in the same frame apply, the host keeps running, the clock and
// randomness work again outside plugin code, and per-intrinsic metrics count it all (and render in
// the Prometheus text /metrics serves).
import { describe, expect, test } from "bun:test"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Metric from "effect/Metric"
import { insidePlugin, installDeterminismGuard } from "../../../../actors/execution/determinism.ts"
import { ApplyFrame, type FailureReason } from "../../../../actors/execution/index.ts"
import { budgetExceeded, operationsApplied, operationsFailed } from "../../../../actors/execution/metrics.ts"
import {
  atomId,
  canonicalWriter,
  decodeCanonical,
  defineOperation,
  DOMAIN_LENGTH,
  type ExecCtx,
  type Intrinsic,
  type ReadView,
  type ViewError,
  type StateView,
  vertex,
} from "../../../../intrinsics/contract/index.ts"
import { snapshotFamilies } from "../../../../runtime/kernel/metrics/effect-snapshot.ts"
import { renderPrometheus } from "../../../../runtime/kernel/metrics/prometheus.ts"
import { noteIntrinsic, testCrypto } from "../../intrinsics/contract/fixtures/note-intrinsic.ts"
import { faultOps, faultyDomain, faultyIntrinsic, payIntrinsic } from "./fixtures/test-intrinsics.ts"
import { addr, bundle, hostOptions, notes, put, storePaths, withHost } from "./harness.ts"

const storePath = storePaths()

// As a plugin module would at import time, after the loader installed the guard.
installDeterminismGuard()
const capturedNow = Date.now

const waywardDomain = new Uint8Array(DOMAIN_LENGTH).fill(0x5a)
type Op = { readonly address: Uint8Array }

/** An op of the "wayward" plugin whose validate/apply do what the caller says, after writing its one id. */
const wayward = (
  opType: number,
  name: string,
  apply: (view: StateView, id: Uint8Array) => Effect.Effect<ReadonlyArray<never>, ViewError>,
  validate: (view: ReadView, ctx: ExecCtx) => Effect.Effect<void> = () => Effect.void,
) =>
  defineOperation<Op>({
    opType,
    name,
    encode: (op) => canonicalWriter(opType).fixed(op.address).finish(),
    decode: (bytes) => decodeCanonical(opType, bytes, (r) => Either.map(r.fixed("address", DOMAIN_LENGTH), (address) => ({ address }))),
    accessSet: (op) => ({ reads: [], writes: [atomId(waywardDomain, op.address)] }),
    validate: (_op, view, ctx) => validate(view, ctx),
    apply: (op, view) => apply(view, atomId(waywardDomain, op.address)),
    cost: () => 0n,
  })

const write = (view: StateView, id: Uint8Array, value: number) => Effect.as(view.put(vertex(id), Uint8Array.of(value), "upsert"), [] as ReadonlyArray<never>)

const ops = {
  dateNow: wayward(0x7301, "date-now", (view, id) => write(view, id, Date.now() % 256)),
  random: wayward(0x7302, "random", (view, id) => write(view, id, Math.floor(Math.random() * 256))),
  captured: wayward(0x7303, "captured-now", (view, id) => write(view, id, capturedNow() % 256)),
  // After an asynchronous step the rest runs on the worker fiber: the Effect Clock refuses there.
  fiberClock: wayward(0x7304, "fiber-clock", (view, id) =>
    Effect.yieldNow().pipe(
      Effect.zipRight(Clock.currentTimeMillis),
      Effect.flatMap((t) => write(view, id, t % 256)),
    ),
  ),
  inValidate: wayward(
    0x7305,
    "validate-clock",
    (view, id) => write(view, id, 1),
    () => Effect.sync(() => void performance.now()),
  ),
  // Catching the refusal is allowed: the fallback is the same on every node.
  catches: wayward(0x7306, "catches", (view, id) => {
    let value = 7
    try {
      value = Date.now() % 256
    } catch {
      value = 42
    }
    return write(view, id, value)
  }),
  randomBytes: wayward(0x7307, "random-bytes", (view, id) => write(view, id, crypto.getRandomValues(new Uint8Array(1))[0] ?? 0)),
  // The node's services are node code: they may read the clock (this one runs an Effect, whose fiber
  // is stamped with Date.now), also when a plugin calls them.
  hostService: wayward(
    0x7309,
    "host-service",
    (view, id) => write(view, id, 3),
    (_view, ctx) => (ctx.crypto.blsVerify(new Uint8Array(0), new Uint8Array(0), new Uint8Array(0), new Uint8Array(0)) ? Effect.void : Effect.die("unverified")),
  ),
  // Logging is not reading the clock: on the fiber path too, a plugin may log.
  logs: wayward(0x730a, "logs", (view, id) => Effect.yieldNow().pipe(Effect.zipRight(Effect.logDebug("tally ho")), Effect.zipRight(write(view, id, 4)))),
  // Allocates without bound, yielding between chunks: the budget ends it and its memory goes with it.
  hog: wayward(0x7308, "hog", () => {
    const held: Array<Uint8Array> = []
    return Effect.forever(Effect.sync(() => void held.push(new Uint8Array(4096))))
  }),
}

const opList = Object.values(ops)
const opTypes = opList.map((o) => o.opType)
const [firstOpType = 0] = opTypes
const waywardIntrinsic: Intrinsic = {
  manifest: {
    name: "wayward",
    version: "0.0.1",
    baseDomain: waywardDomain,
    derivation: { _tag: "Derived", prefix: new TextEncoder().encode("q_wayward") },
    fixedInstances: [],
    opTypes: [firstOpType, ...opTypes.slice(1)],
    placement: "app",
    feePolicy: opList.map((o) => ({ opType: o.opType, role: "free" as const, producesFees: false })),
    activation: { fromFrame: 0n },
  },
  operations: opList,
  queries: [],
  builders: {},
}

const intrinsics = [noteIntrinsic(), payIntrinsic, faultyIntrinsic, waywardIntrinsic]
const count = (m: Metric.Metric.Counter<number>) => Effect.map(Metric.value(m), (s) => s.count)
const failedCount = (intrinsic: string, reason: FailureReason) => count(operationsFailed(intrinsic, reason))

describe("plugin isolation", () => {
  test("throw, loop, allocate without bound, write outside the access set, clock and randomness: each fails only its bundle, counted per intrinsic", async () => {
    const probes = [
      failedCount("faulty", "threw"),
      failedCount("faulty", "timeout"),
      count(budgetExceeded("faulty")),
      failedCount("faulty", "access-violation"),
      failedCount("wayward", "nondeterministic"),
      count(budgetExceeded("wayward")),
      count(operationsApplied("notes")),
      count(operationsApplied("wayward")),
    ]
    const result = await withHost(
      storePath(),
      (host) =>
        Effect.gen(function* () {
          const before = yield* Effect.all(probes)
          const w = (op: (typeof opList)[number], n: number) => bundle(waywardDomain, op.encode({ address: addr(n) }))
          const applied = yield* host.ask(
            new ApplyFrame({
              frameNumber: 1n,
              bundles: [
                notes(put(1, "before")),
                bundle(faultyDomain, faultOps.throws.encode({ address: addr(1) })),
                bundle(faultyDomain, faultOps.loops.encode({ address: addr(2) })),
                bundle(faultyDomain, faultOps.outside.encode({ address: addr(3) })),
                w(ops.dateNow, 1),
                w(ops.random, 2),
                w(ops.captured, 3),
                w(ops.fiberClock, 4),
                w(ops.inValidate, 5),
                w(ops.randomBytes, 6),
                w(ops.catches, 7),
                w(ops.hog, 8),
                w(ops.hostService, 9),
                w(ops.logs, 10),
                notes(put(2, "after")),
              ],
            }),
          )
          // The host answers the next frame as usual.
          const next = yield* host.ask(new ApplyFrame({ frameNumber: 2n, bundles: [notes(put(3, "next"))] }))
          const after = yield* Effect.all(probes)
          const text = renderPrometheus(yield* snapshotFamilies)
          return { applied, next, delta: after.map((n, i) => n - (before[i] ?? 0)), text }
        }),
      hostOptions({
        opBudget: "100 millis",
        checkAccess: true,
        crypto: {
          ...testCrypto,
          blsVerify: () =>
            Effect.runSync(
              Effect.map(
                Effect.sync(() => 1),
                (n) => n === 1,
              ),
            ),
        },
      }),
      intrinsics,
    )
    const outcome = result.applied.applied.map((r) => (r._tag === "Failed" ? r.reason : "ok"))
    expect(outcome).toEqual([
      "ok",
      "threw",
      "timeout",
      "access-violation",
      "nondeterministic",
      "nondeterministic",
      "nondeterministic",
      "nondeterministic",
      "nondeterministic",
      "nondeterministic",
      "ok",
      "timeout",
      "ok",
      "ok",
      "ok",
    ])
    const details = result.applied.applied.flatMap((r) => (r._tag === "Failed" && r.reason === "nondeterministic" ? [r.detail] : []))
    expect(details).toEqual([
      expect.stringContaining("Date.now is not available to intrinsics"),
      expect.stringContaining("Math.random"),
      expect.stringContaining("Date.now"),
      expect.stringContaining("Clock.currentTimeMillis"),
      expect.stringContaining("performance.now"),
      expect.stringContaining("crypto.getRandomValues"),
    ])
    expect(result.next.applied).toEqual([expect.objectContaining({ _tag: "Applied" })])
    // threw, timeout, budget exceeded, access violation, six refusals, the hog's budget; notes: 2 + 1 applied; wayward: the catcher, the host service, the logger.
    expect(result.delta).toEqual([1, 1, 1, 1, 6, 1, 3, 3])
    expect(result.text).toMatch(/quilbun_intrinsic_operations_failed_total\{[^}]*intrinsic="faulty"[^}]*reason="threw"[^}]*\} \d+/)
    expect(result.text).toMatch(/quilbun_intrinsic_budget_exceeded_total\{[^}]*intrinsic="faulty"[^}]*\} \d+/)
    expect(result.text).toMatch(/quilbun_intrinsic_operations_applied_total\{[^}]*intrinsic="notes"[^}]*\} \d+/)
  })

  test("outside plugin code the clock and randomness work, also after a plugin threw while they were refused", async () => {
    await withHost(
      storePath(),
      (host) => host.ask(new ApplyFrame({ frameNumber: 1n, bundles: [bundle(faultyDomain, faultOps.throws.encode({ address: addr(1) }))] })),
      hostOptions(),
      intrinsics,
    )
    expect(insidePlugin()).toBe(false)
    expect(Math.abs(Date.now() - capturedNow())).toBeLessThan(1000)
    const r = Math.random()
    expect(r >= 0 && r < 1).toBe(true)
    expect(performance.now()).toBeGreaterThan(0)
    expect(crypto.getRandomValues(new Uint8Array(4))).toHaveLength(4)
  })
})
