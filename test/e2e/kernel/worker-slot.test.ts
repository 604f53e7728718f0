import { describe, expect, test } from "bun:test"
import { Effect, Either } from "effect"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { workerArgv, WorkerTag } from "../../../runtime/kernel/process/protocol.ts"
import { makeWorkerSlot, type WorkerInfo } from "../../../runtime/kernel/process/worker-slot.ts"
import { LoggingLive } from "../../../runtime/kernel/logging.ts"
import type { LivenessPolicy } from "../../../runtime/kernel/process/worker-liveness.ts"

const entry = join(import.meta.dir, "../../../runtime/node/worker.ts")

const withSlot = <A>(
  policy: { maxRestarts: number },
  body: (slot: Effect.Effect.Success<ReturnType<typeof makeWorkerSlot>>) => Effect.Effect<A, unknown>,
  liveness?: LivenessPolicy,
) => {
  const dataDir = mkdtempSync(join(tmpdir(), "quilbun-slot-"))
  return Effect.runPromise(
    Effect.scoped(
      Effect.gen(function* () {
        const slot = yield* makeWorkerSlot({
          core: 1,
          process: {
            core: 1,
            entry,
            args: workerArgv({ core: 1, dataDir, logFormat: "json", logLevel: "warning" }),
          },
          policy: { backoffBase: "10 millis", backoffCap: "100 millis", maxRestarts: policy.maxRestarts, window: "30 seconds" },
          ...(liveness === undefined ? {} : { liveness }),
        })
        return yield* body(slot)
      }),
    ).pipe(
      Effect.provide(LoggingLive({ format: "json", level: "none" })),
      Effect.ensuring(Effect.sync(() => rmSync(dataDir, { recursive: true, force: true }))),
    ),
  )
}

const pollInfo = (slot: { info: Effect.Effect<WorkerInfo> }, ok: (i: WorkerInfo) => boolean, ms = 5000) =>
  Effect.gen(function* () {
    const deadline = Date.now() + ms
    while (true) {
      const info = yield* slot.info
      if (ok(info)) return info
      if (Date.now() > deadline) return yield* Effect.fail(new Error(`timeout, last ${JSON.stringify(info)}`))
      yield* Effect.sleep("20 millis")
    }
  })

describe("worker slot", () => {
  test("runs a worker, answers calls, restarts after kill -9", async () => {
    await withSlot({ maxRestarts: 5 }, (slot) =>
      Effect.gen(function* () {
        const echo = yield* slot.call(WorkerTag.ping, { n: 7, bytes: new Uint8Array([1, 2, 3]) })
        expect(echo).toEqual({ n: 7, bytes: new Uint8Array([1, 2, 3]) })
        const first = yield* pollInfo(slot, (i) => i.state === "running")
        expect(first.restarts).toBe(0)
        expect(first.pid).toBeGreaterThan(0)
        process.kill(first.pid ?? 0, "SIGKILL")
        const second = yield* pollInfo(slot, (i) => i.state === "running" && i.pid !== first.pid)
        expect(second.restarts).toBe(1)
        expect(second.lastExit?.signal).toBe("SIGKILL")
        expect(yield* slot.call(WorkerTag.ping, 1)).toBe(1)
      }),
    )
  }, 15000)

  test("gives up after the restart intensity and revives on restart", async () => {
    await withSlot({ maxRestarts: 1 }, (slot) =>
      Effect.gen(function* () {
        const a = yield* pollInfo(slot, (i) => i.state === "running")
        process.kill(a.pid ?? 0, "SIGKILL")
        const b = yield* pollInfo(slot, (i) => i.state === "running" && i.pid !== a.pid)
        process.kill(b.pid ?? 0, "SIGKILL")
        yield* pollInfo(slot, (i) => i.state === "failed")
        yield* slot.restart
        const c = yield* pollInfo(slot, (i) => i.state === "running")
        expect(c.restarts).toBe(2)
      }),
    )
  }, 20000)

  test("manual restart replaces the process", async () => {
    await withSlot({ maxRestarts: 5 }, (slot) =>
      Effect.gen(function* () {
        const a = yield* pollInfo(slot, (i) => i.state === "running")
        yield* slot.restart
        const b = yield* pollInfo(slot, (i) => i.state === "running" && i.pid !== a.pid)
        expect(b.restarts).toBe(1)
        expect(b.lastExit?.exitCode).toBe(0)
      }),
    )
  }, 15000)

  test("frames batched on the pipe keep their replies apart; an unsendable payload fails only its call", async () => {
    await withSlot({ maxRestarts: 5 }, (slot) =>
      Effect.gen(function* () {
        const many = yield* Effect.forEach(
          Array.from({ length: 300 }, (_, i) => i),
          (i) => slot.call(WorkerTag.ping, { i }),
          {
            concurrency: "unbounded",
          },
        )
        expect(many).toEqual(Array.from({ length: 300 }, (_, i) => ({ i })))
        // A function cannot be structured-cloned: its frame is dropped from the batch, the rest go.
        const [bad, good] = yield* Effect.all([Effect.either(slot.call(WorkerTag.ping, { f: () => 1 })), slot.call(WorkerTag.ping, "ok")], {
          concurrency: "unbounded",
        })
        expect(Either.isLeft(bad) ? bad.left._tag : "").toBe("WorkerCrashed")
        expect(good).toBe("ok")
        expect(yield* slot.call(WorkerTag.ping, 2)).toBe(2)
      }),
    )
  }, 15000)

  test("a stalled worker is unresponsive, recovers if it resumes in time, else is killed and restarted", async () => {
    const liveness: LivenessPolicy = { interval: "100 millis", unresponsiveAfter: "1 second", restartAfter: "4 seconds" }
    await withSlot(
      { maxRestarts: 5 },
      (slot) =>
        Effect.gen(function* () {
          const a = yield* pollInfo(slot, (i) => i.state === "running")
          const pid = a.pid ?? 0
          process.kill(pid, "SIGSTOP")
          yield* pollInfo(slot, (i) => i.state === "unresponsive")
          process.kill(pid, "SIGCONT")
          const resumed = yield* pollInfo(slot, (i) => i.state === "running")
          expect(resumed.pid).toBe(pid)
          expect(resumed.restarts).toBe(0)
          process.kill(pid, "SIGSTOP")
          const b = yield* pollInfo(slot, (i) => i.state === "running" && i.pid !== pid, 15_000)
          expect(b.restarts).toBe(1)
          expect(b.lastExit?.signal).toBe("SIGKILL")
          // A manual restart of a stalled worker kills it (a SIGTERM would wait for it to run).
          process.kill(b.pid ?? 0, "SIGSTOP")
          yield* pollInfo(slot, (i) => i.state === "unresponsive")
          yield* slot.restart
          const c = yield* pollInfo(slot, (i) => i.state === "running" && i.pid !== b.pid, 15_000)
          expect(c.lastExit?.signal).toBe("SIGKILL")
        }),
      liveness,
    )
  }, 40000)
})
