// The Vdf service: one interface, native or TypeScript chosen at load; solves in a Worker (the
// event loop stays live), interruption abandons a solve, typed errors for bad inputs.
import { bytesToHex } from "@noble/hashes/utils.js"
import { describe, expect, test } from "bun:test"
import { Effect, Either, Exit, Fiber, Metric } from "effect"
import { solveDuration, verifyDuration } from "../../../../crates/ts/vdf/metrics.ts"
import { makeVdf, type Vdf } from "../../../../crates/ts/vdf/vdf.ts"
import { join } from "node:path"
import { wesolowskiLines } from "./vectors.ts"

const withVdf = <A, E>(body: (vdf: Vdf) => Effect.Effect<A, E>): Promise<A> => Effect.runPromise(Effect.scoped(Effect.flatMap(makeVdf, body)))

const { single, multi } = wesolowskiLines()

describe("Vdf service", () => {
  test("prove reproduces a vector; prove → verify round trip", async () => {
    const l = single.find((x) => x.difficulty === 100)!
    const { implementation, output, ok } = await withVdf((vdf) =>
      Effect.gen(function* () {
        const output = yield* vdf.prove(l.challenge, l.difficulty)
        const ok = yield* vdf.verify(l.challenge, l.difficulty, output)
        return { implementation: vdf.implementation, output, ok }
      }),
    )
    expect(["native", "typescript"]).toContain(implementation)
    expect(ok).toBe(true)
    expect(bytesToHex(output)).toBe(bytesToHex(l.output))
    const solves = Effect.runSync(Metric.value(Metric.tagged(solveDuration, "engine", implementation)))
    const verifies = Effect.runSync(Metric.value(Metric.tagged(verifyDuration, "engine", implementation)))
    expect(solves.count).toBeGreaterThanOrEqual(1)
    expect(verifies.count).toBeGreaterThanOrEqual(1)
  }, 30_000)

  test("verify / verifyMulti / proveMulti on the vector lines", async () => {
    const l = single[0]!
    const m = multi[0]!
    const results = await withVdf((vdf) =>
      Effect.all([
        vdf.verify(l.challenge, l.difficulty, l.output),
        vdf.verifyMulti(m.challenge, m.difficulty, m.ids, m.blobs),
        vdf.proveMulti(m.challenge, m.difficulty, m.ids, 1),
      ]),
    )
    expect(results[0]).toBe(true)
    expect(results[1]).toBe(true)
    expect(bytesToHex(results[2])).toBe(bytesToHex(m.blobs[1]!))
  }, 30_000)

  test("typed errors: wrong lengths, bad iterations, malformed forms, bad index", async () => {
    const challenge = new Uint8Array([1])
    const errors = await withVdf((vdf) =>
      Effect.all([
        Effect.flip(vdf.verify(challenge, 10, new Uint8Array(515))),
        Effect.flip(vdf.verify(challenge, -1, new Uint8Array(516))),
        Effect.flip(vdf.verify(challenge, 10, new Uint8Array(516))), // a = 0: not a form
        Effect.flip(vdf.prove(challenge, 1.5)),
        Effect.flip(vdf.proveMulti(challenge, 10, [new Uint8Array([1])], 1)),
        Effect.flip(vdf.verifyMulti(challenge, 10, [], [])),
        Effect.flip(vdf.prove(challenge, 2 ** 22 + 1)),
      ]),
    )
    expect(errors.map((e) => e._tag)).toEqual([
      "VdfInputError",
      "VdfInputError",
      "VdfMalformedOutputError",
      "VdfInputError",
      "VdfInputError",
      "VdfInputError",
      "VdfInputError",
    ])
  }, 30_000)

  test("a long solve leaves the event loop live, and interrupting it frees the Worker", async () => {
    let ticks = 0
    const timer = setInterval(() => ticks++, 20)
    try {
      const outcome = await withVdf((vdf) =>
        Effect.gen(function* () {
          // Each takes far longer than this test's 30 s timeout (native: ≥ 40 s at its ~50k squarings a
          // second; TypeScript: minutes), so a follow-up that waited behind it fails the test, no clock read.
          const t = vdf.implementation === "native" ? 2_000_000 : 50_000
          const fiber = yield* Effect.fork(vdf.prove(new Uint8Array([7, 7, 7]), t))
          yield* Effect.sleep("400 millis")
          const ticksDuring = ticks
          const exit = yield* Fiber.interrupt(fiber)
          // The Worker must be free again: a small solve right after finishes.
          const next = yield* vdf.prove(new Uint8Array([8]), 10)
          return { ticksDuring, interrupted: Exit.isInterrupted(exit), next }
        }),
      )
      expect(outcome.ticksDuring).toBeGreaterThanOrEqual(5)
      expect(outcome.interrupted).toBe(true)
      expect(outcome.next.length).toBe(516)
    } finally {
      clearInterval(timer)
    }
  }, 30_000)

  test("a failing call does not poison the service", async () => {
    const result = await withVdf((vdf) =>
      Effect.gen(function* () {
        const bad = yield* Effect.either(vdf.verify(new Uint8Array([1]), 10, new Uint8Array(3)))
        const good = yield* vdf.prove(new Uint8Array([1]), 3)
        return { bad, good }
      }),
    )
    expect(Either.isLeft(result.bad)).toBe(true)
    expect(result.good.length).toBe(516)
  }, 30_000)

  test("QUILBUN_NATIVE_LIB=/nonexistent: the TypeScript implementation solves in the Worker and can be interrupted", () => {
    const p = Bun.spawnSync([process.execPath, join(import.meta.dir, "fallback-fixture.ts")], {
      stdout: "pipe",
      stderr: "pipe",
      env: { ...process.env, QUILBUN_NATIVE_LIB: "/nonexistent" },
      // the abandoned 10^6-iteration TypeScript solve takes minutes: a follow-up waiting behind it is
      // killed here (exit code null), well before that
      timeout: 25_000,
    })
    expect(p.exitCode).toBe(0)
    const result = JSON.parse(p.stdout.toString()) as { implementation: string; interrupted: boolean; ok: boolean }
    expect(result.implementation).toBe("typescript")
    expect(result.interrupted).toBe(true)
    expect(result.ok).toBe(true)
    expect(p.stderr.toString().match(/TypeScript BigInt implementation/g)?.length).toBe(1)
  }, 30_000)
})
