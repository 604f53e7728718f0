// The pace of recent healthy ranks, for the devnet pacemaker. Its replica timeout is sized at start-up
// from a short measurement (devnetTimingFor), which nodes starting side by side on shared cores can
// overestimate several times over; a crashed leader then costs that whole timeout. Once a few
// consecutive ranks have ended by QC, the timeout follows what they actually took (three times the
// slowest plus half a second, never above the start-up value, never below the floor); any rank ended by
// a timeout certificate drops the observations, back to the start-up value.
import type { TimeoutConfig } from "./timeout-controller.ts"

const WINDOW = 8
const MIN_SAMPLES = 3

export class RankPace {
  private readonly recent: Array<number> = []
  private startedAt: number | undefined

  /** `floorMs` undefined: no adaptation (the configured timeouts always). */
  constructor(private readonly floorMs: number | undefined) {}

  rankStarted(nowMs: number): void {
    this.startedAt = nowMs
  }

  /** The current rank ended at `nowMs`: by a QC for it (`healthy`), or otherwise. */
  rankEnded(nowMs: number, healthy: boolean): void {
    if (!healthy) this.recent.length = 0
    else if (this.startedAt !== undefined) {
      this.recent.push(nowMs - this.startedAt)
      if (this.recent.length > WINDOW) this.recent.shift()
    }
    this.startedAt = nowMs
  }

  timeouts(configured: TimeoutConfig): TimeoutConfig {
    if (this.floorMs === undefined || this.recent.length < MIN_SAMPLES) return configured
    const observed = Math.max(this.floorMs, Math.ceil(3 * Math.max(...this.recent) + 500))
    return observed >= configured.minReplicaTimeoutMs ? configured : { ...configured, minReplicaTimeoutMs: observed }
  }
}
