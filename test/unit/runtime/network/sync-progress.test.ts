import { describe, expect, test } from "bun:test"
import { Duration, Effect, Logger, Metric, TestClock, TestContext } from "effect"
import { syncFramesSyncedGauge, syncFramesTargetGauge } from "../../../../runtime/network/metrics.ts"
import { formatSyncProgress, SyncProgress } from "../../../../runtime/network/sync-progress.ts"

/** Runs `effect` under TestClock and returns its result and the messages it logged. */
const withLogs = async <A>(effect: Effect.Effect<A>): Promise<{ readonly result: A; readonly lines: ReadonlyArray<string> }> => {
  const lines: Array<string> = []
  const capture = Logger.make(({ message }) => lines.push(Array.isArray(message) ? message.join(" ") : String(message)))
  const result = await Effect.runPromise(effect.pipe(Effect.provide(Logger.replace(Logger.defaultLogger, capture)), Effect.provide(TestContext.TestContext)))
  return { result, lines }
}

const gauges = Effect.all([Metric.value(syncFramesSyncedGauge), Metric.value(syncFramesTargetGauge)]).pipe(Effect.map(([d, t]) => [d.value, t.value]))

describe("SyncProgress", () => {
  test("rate and ETA from the frames fetched since the start; gauges hold the frame reached and the target", async () => {
    const { result } = await withLogs(
      Effect.gen(function* () {
        const progress = yield* SyncProgress.start(1_000, 11_000, { logIntervalMillis: 5_000 })
        const before = yield* progress.snapshot
        const gaugesAtStart = yield* gauges
        yield* TestClock.adjust(Duration.millis(2_000))
        yield* progress.advanceTo(3_000)
        return { before, gaugesAtStart, after: yield* progress.snapshot, gaugesAfter: yield* gauges }
      }),
    )
    expect(result.before.etaSeconds).toBeUndefined()
    expect(result.gaugesAtStart).toEqual([1_000, 11_000])
    expect(result.after.done).toBe(3_000)
    expect(result.after.fetched).toBe(2_000)
    expect(result.after.framesPerSecond).toBe(1_000)
    expect(result.after.etaSeconds).toBe(8)
    expect(result.gaugesAfter).toEqual([3_000, 11_000])
    expect(formatSyncProgress(result.after, "peer-a")).toBe("sync progress from peer-a: 3000/11000 frames (27.3%), 1000 frames/s, ETA 8 s")
  })

  test("a start line, at most one progress line per interval, one final line at the target", async () => {
    const { lines } = await withLogs(
      Effect.gen(function* () {
        const progress = yield* SyncProgress.start(0, 1_000, { logIntervalMillis: 10_000, peer: "p" })
        for (let i = 0; i < 10; i++) {
          yield* TestClock.adjust(Duration.millis(1_500)) // 100 frames per 1.5 s: the 10 s interval passes at the 7th batch
          yield* progress.advanceTo(100 * (i + 1))
        }
        yield* progress.advanceTo(1_100) // past the target: ended, nothing more
        yield* progress.stop("late stop")
      }),
    )
    expect(lines.length).toBe(3)
    expect(lines[0]).toBe("sync started from p: at frame 0, peer head 1000 (1000 frames behind)")
    expect(lines[1]).toContain("700/1000 frames")
    expect(lines[2]).toStartWith("sync finished from p: 1000/1000 frames (100.0%), 1000 fetched in 15.0 s")
  })

  test("retarget follows the peer's head; stop logs where and why the sync ended", async () => {
    const { result, lines } = await withLogs(
      Effect.gen(function* () {
        const progress = yield* SyncProgress.start(10, 500, { logIntervalMillis: 0 })
        yield* progress.advanceTo(266)
        yield* progress.retarget(700)
        const target = (yield* gauges)[1]
        yield* progress.advanceTo(100) // never backwards
        const done = (yield* progress.snapshot).done
        yield* progress.stop("request failed: peer gone")
        yield* progress.advanceTo(700) // ended: ignored
        return { target, done, ended: progress.isEnded, final: yield* gauges }
      }),
    )
    expect(result).toEqual({ target: 700, done: 266, ended: true, final: [266, 700] })
    expect(lines.filter((l) => l.startsWith("sync progress")).map((l) => l.split(" (")[0])).toEqual([
      "sync progress: 266/500 frames",
      "sync progress: 266/700 frames",
    ])
    expect(lines.at(-1)).toBe("sync stopped at 266/700 frames (38.0%) after 0.0 s: request failed: peer gone")
  })
})
