// Synchronous loops in plugin code (loop-meter.ts, DECISIONS D-EXEC-27): a plugin loaded by the node's
// loader runs instrumented, so a `while (true)` — in apply, in validate, in accessSet, one that catches
// what stops it, recursion that catches stack overflows — fails only its bundle with `timeout` once
// the budget passes; the frame's other bundles apply, the host answers the next frame and a query,
// and a spinning query answers `failed`. Without the meter each of these would hang the process.
import { describe, expect, test } from "bun:test"
import { resolve } from "node:path"
import * as Effect from "effect/Effect"
import * as Metric from "effect/Metric"
import { ApplyFrame, Query } from "../../../../actors/execution/index.ts"
import { budgetExceeded } from "../../../../actors/execution/metrics.ts"
import { instrumentSource } from "../../../../runtime/node/plugin-metering.ts"
import { loadNodeIntrinsics } from "../../../../runtime/node/plugins.ts"
import { addr, bundle, hostOptions, notes, put, tempStorePath, withHost } from "./harness.ts"
import { noteIntrinsic } from "../../intrinsics/contract/fixtures/note-intrinsic.ts"
import { payIntrinsic } from "./fixtures/test-intrinsics.ts"
import { canonicalWriter } from "../../../../intrinsics/contract/index.ts"

const repo = resolve(import.meta.dir, "../../../..")
// The fixture's constants, not imported from it: a module imported before the loader registers the
// meter would stay uninstrumented in the module cache (and its spins would hang this test).
const SPIN_OP = 0x7a01
const SPINS_DOMAIN = new Uint8Array(32).fill(0x5b)
const spinBundle = (key: number, how: number) => bundle(SPINS_DOMAIN, canonicalWriter(SPIN_OP).fixed(addr(key)).u32(how).finish())

describe("the loop meter", () => {
  test("every synchronous spin fails only its bundle with timeout; the host keeps answering", async () => {
    const loaded = await Effect.runPromise(loadNodeIntrinsics(["./test/unit/runtime/node/fixtures/plugins/spins.ts"], repo))
    const spins = loaded.intrinsics.find((i) => i.manifest.name === "spins")
    if (spins === undefined) throw new Error("the spins fixture did not load")
    const t = tempStorePath()
    try {
      const result = await withHost(
        t.path,
        (host) =>
          Effect.gen(function* () {
            const before = (yield* Metric.value(budgetExceeded("spins"))).count
            const applied = yield* host.ask(
              new ApplyFrame({
                frameNumber: 1n,
                bundles: [
                  notes(put(1, "before")),
                  spinBundle(1, 1),
                  spinBundle(2, 2),
                  spinBundle(3, 3),
                  spinBundle(4, 4),
                  spinBundle(5, 5),
                  spinBundle(6, 0),
                  notes(put(2, "after")),
                ],
              }),
            )
            const next = yield* host.ask(new ApplyFrame({ frameNumber: 2n, bundles: [spinBundle(7, 0)] }))
            const query = yield* Effect.either(host.ask(new Query({ intrinsic: "spins", name: "spin", args: {} })))
            const after = (yield* Metric.value(budgetExceeded("spins"))).count
            return { applied, next, query, budget: after - before }
          }),
        hostOptions({ opBudget: "150 millis" }),
        [noteIntrinsic(), payIntrinsic, spins],
      )
      expect(result.applied.applied.map((r) => (r._tag === "Failed" ? r.reason : "ok"))).toEqual([
        "ok",
        "timeout",
        "timeout",
        "timeout",
        "timeout",
        "timeout",
        "ok",
        "ok",
      ])
      expect(result.applied.applied[1]).toMatchObject({ detail: expect.stringContaining("exceeded its 150 ms budget") })
      expect(result.next.applied).toEqual([expect.objectContaining({ _tag: "Applied" })])
      expect(result.query._tag === "Left" && result.query.left).toMatchObject({ kind: "failed", reason: "query spins/spin exceeded its 150 ms budget" })
      // accessSet's timeout is the resolver's, before an operation started: counted as a failed bundle, not per intrinsic.
      expect(result.budget).toBe(4)
    } finally {
      t.cleanup()
    }
  }, 30_000)
})

test("the meter reads the real clock inside the plugin window, also when it loads after the clock guard", () => {
  // A fresh process: the guard first, then the meter's module (as when a plugin is the first to import it).
  const script = `
    const d = await import(${JSON.stringify(resolve(repo, "actors/execution/determinism.ts"))})
    d.installDeterminismGuard()
    const m = await import(${JSON.stringify(resolve(repo, "actors/execution/loop-meter.ts"))})
    d.enterPlugin()
    m.armMeter(20)
    let seen = "none"
    for (let i = 0; i < 1e9 && seen === "none"; i++) {
      try { m.meterTick() } catch (e) { seen = e.name }
    }
    console.log(seen)`
  const run = Bun.spawnSync([process.execPath, "-e", script], { cwd: repo, stderr: "pipe" })
  expect(run.stderr.toString()).toBe("")
  expect(run.stdout.toString().trim()).toBe("BudgetExceeded")
})

describe("instrumentSource", () => {
  test("a tick heads every loop body and function body; lines are kept", () => {
    const source = [
      "const f = (x: number) => ({ a: x })",
      "function g(n: number): number { let s = 0; for (let i = 0; i < n; i++) s += i; return s }",
      "outer: while (true) { do { break outer } while (false) }",
      "for (const k in {}) ;",
      "class C { m(): number { return 1 } }",
      "declare function h(a: string): void",
    ].join("\n")
    const out = instrumentSource(source, "x.ts")
    expect(out.split("\n")).toHaveLength(6)
    const ticks = (line: string) => line.split("__quilbunMeterTick()").length - 1
    expect(out.split("\n").map(ticks)).toEqual([1, 2, 2, 1, 1, 0])
    expect(out).toContain("(__quilbunMeterTick(), ({ a: x }))")
    expect(out).toContain("for (let i = 0; i < n; i++) {__quilbunMeterTick();s += i;}")
  })

  test("a syntax error names the file", () => {
    expect(() => instrumentSource("while (", "broken.ts")).toThrow(/^broken\.ts: /)
  })
})
