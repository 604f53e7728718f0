import { describe, expect, test } from "bun:test"
import { Effect, Logger, Metric } from "effect"
import { syncFramesSyncedGauge, syncFramesTargetGauge } from "../../../actors/p2p/metrics.ts"
import { formatSyncProgress, SyncProgress } from "../../../actors/p2p/sync-progress.ts"

/** Runs `effect` and returns the messages it logged. */
const logsOf = (effect: Effect.Effect<void>): Array<string> => {
  const lines: Array<string> = []
  const capture = Logger.make(({ message }) => lines.push(String(Array.isArray(message) ? message.join(" ") : message)))
  Effect.runSync(effect.pipe(Effect.provide(Logger.replace(Logger.defaultLogger, capture))))
  return lines
}

describe("SyncProgress", () => {
  test("rate and ETA from the frames done so far; gauges follow", () => {
    let now = 1_000
    const progress = new SyncProgress(10_000, { now: () => now, logIntervalMillis: 5_000 })
    expect(progress.snapshot().etaSeconds).toBeUndefined()
    now += 2_000
    logsOf(progress.advance(2_000))
    const s = progress.snapshot()
    expect(s.framesPerSecond).toBe(1_000)
    expect(s.etaSeconds).toBe(8)
    expect(Effect.runSync(Metric.value(syncFramesSyncedGauge)).value).toBe(2_000)
    expect(Effect.runSync(Metric.value(syncFramesTargetGauge)).value).toBe(10_000)
    expect(formatSyncProgress(s)).toBe("sync progress: 2000/10000 frames (20.0%), 1000 frames/s, ETA 8 s")
  })

  test("logs at most once per interval, and once when the target is reached", () => {
    let now = 0
    const progress = new SyncProgress(1_000, { now: () => now, logIntervalMillis: 10_000 })
    const lines: Array<string> = []
    for (let i = 0; i < 10; i++) {
      now += 1_500 // 100 frames per 1.5 s: the 10 s interval passes at the 7th batch
      lines.push(...logsOf(progress.advance(100)))
    }
    lines.push(...logsOf(progress.advance(100))) // past the target: no second "finished" line
    expect(lines.length).toBe(2)
    expect(lines[0]).toContain("700/1000 frames")
    expect(lines[1]).toContain("1000/1000 frames (100.0%)")
    expect(lines[1]).toContain("ETA 0 s")
  })
})
