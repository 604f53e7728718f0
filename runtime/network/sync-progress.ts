// Progress of a long catch-up sync: the frame reached against the peer's head, with the rate and an
// ETA, kept in two gauges and logged at most once per interval, plus a start line and one final line
// (caught up, or stopped and why), so an operator can tell a slow sync from a stuck one. Whoever drives
// the sync (the global consensus engine) owns the tracker and calls `advanceTo` after each adopted
// batch. Time comes from Effect's Clock, so tests drive it with TestClock.
import { Clock, Effect, Metric } from "effect"
import { syncFramesSyncedGauge, syncFramesTargetGauge } from "./metrics.ts"

export interface SyncProgressOptions {
  /** Minimum time between two progress lines (default 10 s). */
  readonly logIntervalMillis?: number
  /** The peer synced from, named in every line. */
  readonly peer?: string
}

export interface SyncProgressSnapshot {
  /** Frame number reached. */
  readonly done: number
  /** Frame number to reach (the peer's committed head). */
  readonly target: number
  /** Frames fetched since the sync started. */
  readonly fetched: number
  readonly elapsedSeconds: number
  /** Average since the start. */
  readonly framesPerSecond: number
  /** undefined until the rate is known */
  readonly etaSeconds: number | undefined
}

const percentOf = (s: SyncProgressSnapshot): string => (s.target <= 0 ? 100 : Math.min(100, (100 * s.done) / s.target)).toFixed(1)
const fromPeer = (peer: string | undefined): string => (peer === undefined ? "" : ` from ${peer}`)

export const formatSyncProgress = (s: SyncProgressSnapshot, peer?: string): string => {
  const eta = s.etaSeconds === undefined ? "unknown" : `${Math.ceil(s.etaSeconds)} s`
  return `sync progress${fromPeer(peer)}: ${s.done}/${s.target} frames (${percentOf(s)}%), ${s.framesPerSecond.toFixed(0)} frames/s, ETA ${eta}`
}

const formatSyncFinished = (s: SyncProgressSnapshot, peer?: string): string =>
  `sync finished${fromPeer(peer)}: ${s.done}/${s.target} frames (${percentOf(s)}%), ${s.fetched} fetched in ${s.elapsedSeconds.toFixed(1)} s, ${s.framesPerSecond.toFixed(0)} frames/s`

const formatSyncStopped = (s: SyncProgressSnapshot, reason: string, peer?: string): string =>
  `sync stopped${fromPeer(peer)} at ${s.done}/${s.target} frames (${percentOf(s)}%) after ${s.elapsedSeconds.toFixed(1)} s: ${reason}`

export class SyncProgress {
  private done: number
  private lastLogAt: number
  private ended = false

  private constructor(
    private readonly from: number,
    private target: number,
    private readonly startedAt: number,
    private readonly logIntervalMillis: number,
    private readonly peer: string | undefined,
  ) {
    this.done = from
    this.lastLogAt = startedAt
  }

  /** Starts tracking a sync that stands at frame `from` and has to reach `target`; logs a start line. */
  static start(from: number, target: number, options: SyncProgressOptions = {}): Effect.Effect<SyncProgress> {
    return Effect.gen(function* () {
      const now = yield* Clock.currentTimeMillis
      const progress = new SyncProgress(from, target, now, options.logIntervalMillis ?? 10_000, options.peer)
      yield* Metric.set(syncFramesSyncedGauge, from)
      yield* Metric.set(syncFramesTargetGauge, target)
      yield* Effect.logInfo(`sync started${fromPeer(options.peer)}: at frame ${from}, peer head ${target} (${Math.max(0, target - from)} frames behind)`)
      return progress
    })
  }

  /** True once the final line (finished or stopped) was logged. */
  get isEnded(): boolean {
    return this.ended
  }

  snapshotAt(now: number): SyncProgressSnapshot {
    const elapsedSeconds = Math.max(0, now - this.startedAt) / 1000
    const fetched = Math.max(0, this.done - this.from)
    const framesPerSecond = elapsedSeconds > 0 ? fetched / elapsedSeconds : 0
    const remaining = Math.max(0, this.target - this.done)
    return {
      done: this.done,
      target: this.target,
      fetched,
      elapsedSeconds,
      framesPerSecond,
      etaSeconds: remaining === 0 ? 0 : framesPerSecond > 0 ? remaining / framesPerSecond : undefined,
    }
  }

  readonly snapshot: Effect.Effect<SyncProgressSnapshot> = Effect.suspend(() => Effect.map(Clock.currentTimeMillis, (now) => this.snapshotAt(now)))

  /** The peer's head moved while we were catching up. */
  retarget(target: number): Effect.Effect<void> {
    return Effect.suspend(() => {
      if (this.ended || target === this.target) return Effect.void
      this.target = target
      return Metric.set(syncFramesTargetGauge, target)
    })
  }

  /**
   * Records that frame `position` was reached: a progress line when the interval has passed, the
   * final line when the target is reached (after which the tracker is ended and ignores updates).
   */
  advanceTo(position: number): Effect.Effect<void> {
    return Effect.gen(this, function* () {
      if (this.ended) return
      this.done = Math.max(this.done, position)
      yield* Metric.set(syncFramesSyncedGauge, this.done)
      const now = yield* Clock.currentTimeMillis
      if (this.done >= this.target) {
        this.ended = true
        return yield* Effect.logInfo(formatSyncFinished(this.snapshotAt(now), this.peer))
      }
      if (now - this.lastLogAt < this.logIntervalMillis) return
      this.lastLogAt = now
      yield* Effect.logInfo(formatSyncProgress(this.snapshotAt(now), this.peer))
    })
  }

  /** The sync ended before the target (request failed, peer gone, invalid frames): the final line says why. */
  stop(reason: string): Effect.Effect<void> {
    return Effect.gen(this, function* () {
      if (this.ended) return
      this.ended = true
      const now = yield* Clock.currentTimeMillis
      yield* Effect.logInfo(formatSyncStopped(this.snapshotAt(now), reason, this.peer))
    })
  }
}
