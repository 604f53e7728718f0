// Progress of a long catch-up sync: frames fetched against a target, with the rate and an ETA, kept
// in two gauges and logged at most once per interval (and once at the end), so an operator can tell
// a slow sync from a stuck one. Whoever drives the sync (the global consensus engine) owns the
// tracker and calls `advance` after each adopted batch.
import { Effect } from "effect"
import { syncFramesSyncedGauge, syncFramesTargetGauge } from "./metrics.ts"

export interface SyncProgressOptions {
  /** minimum time between two progress lines */
  readonly logIntervalMillis?: number
  /** milliseconds; injected for tests */
  readonly now?: () => number
}

export interface SyncProgressSnapshot {
  readonly done: number
  readonly target: number
  /** average since the start */
  readonly framesPerSecond: number
  /** undefined until the rate is known */
  readonly etaSeconds: number | undefined
}

export const formatSyncProgress = (s: SyncProgressSnapshot): string => {
  const percent = s.target === 0 ? 100 : (100 * s.done) / s.target
  const eta = s.etaSeconds === undefined ? "unknown" : `${Math.ceil(s.etaSeconds)} s`
  return `sync progress: ${s.done}/${s.target} frames (${percent.toFixed(1)}%), ${s.framesPerSecond.toFixed(0)} frames/s, ETA ${eta}`
}

export class SyncProgress {
  private done = 0
  private readonly startedAt: number
  private lastLogAt: number
  private readonly now: () => number
  private readonly logIntervalMillis: number

  constructor(
    private target: number,
    options: SyncProgressOptions = {},
  ) {
    this.now = options.now ?? Date.now
    this.logIntervalMillis = options.logIntervalMillis ?? 10_000
    this.startedAt = this.now()
    this.lastLogAt = this.startedAt
    syncFramesSyncedGauge.unsafeUpdate(0, [])
    syncFramesTargetGauge.unsafeUpdate(target, [])
  }

  /** The peer's head moved while we were catching up. */
  retarget(target: number): void {
    this.target = target
    syncFramesTargetGauge.unsafeUpdate(target, [])
  }

  snapshot(): SyncProgressSnapshot {
    const seconds = (this.now() - this.startedAt) / 1000
    const framesPerSecond = seconds > 0 ? this.done / seconds : 0
    const remaining = Math.max(0, this.target - this.done)
    return {
      done: this.done,
      target: this.target,
      framesPerSecond,
      etaSeconds: remaining === 0 ? 0 : framesPerSecond > 0 ? remaining / framesPerSecond : undefined,
    }
  }

  /** Records `frames` more fetched; logs a progress line when the interval has passed or the target is reached. */
  advance(frames: number): Effect.Effect<void> {
    return Effect.suspend(() => {
      const wasDone = this.done >= this.target
      this.done += frames
      syncFramesSyncedGauge.unsafeUpdate(this.done, [])
      const finished = !wasDone && this.done >= this.target
      const now = this.now()
      if (!finished && now - this.lastLogAt < this.logIntervalMillis) return Effect.void
      this.lastLogAt = now
      return Effect.logInfo(formatSyncProgress(this.snapshot()))
    })
  }
}
