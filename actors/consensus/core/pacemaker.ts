// The pacemaker (consensus.md §3.2, §3.3): the current rank with its newest QC and prior TC, the
// timeout controller's failed-rounds counter, the rank pace of a devnet, and the local timer. The timer
// is one per engine: each arming gets a new epoch and a firing with an older epoch is stale.
import type { Effect } from "effect"
import type { ConsensusTiming } from "./consensus-config.ts"
import { RankPace } from "./rank-pace.ts"
import type { LivenessState, RankChange, RankTrackerStep } from "./rank-tracker.ts"
import { afterProgress, afterTimeout, rebroadcastIntervalMs, replicaTimeoutMs, type TimeoutConfig } from "./timeout-controller.ts"

export class Pacemaker {
  private state: LivenessState | undefined
  private failed = 0
  private epoch = 0
  private readonly pace: RankPace

  constructor(
    private readonly timing: ConsensusTiming,
    private readonly armTimer: (ms: number, epoch: number) => Effect.Effect<void>,
  ) {
    this.pace = new RankPace(timing.adaptiveFloorMs)
  }

  /** The loaded (or initial) liveness state. */
  restore(liveness: LivenessState): void {
    this.state = liveness
  }

  /** The current rank's clock starts (the engine is running). */
  begin(nowMs: number): void {
    this.pace.rankStarted(nowMs)
  }

  get liveness(): LivenessState {
    if (this.state === undefined) throw new Error("pacemaker used before start")
    return this.state
  }

  get currentRank(): bigint {
    return this.liveness.currentRank
  }

  /** Consecutive failed rounds of the timeout controller. */
  get failedRounds(): number {
    return this.failed
  }

  /** The configured timeouts, or the faster pace recent healthy ranks showed (devnet). */
  timeouts(): TimeoutConfig {
    return this.pace.timeouts(this.timing.timeouts)
  }

  /** Whether a LocalTimeout for `epoch` is the latest timer (older ones were replaced). */
  isCurrent(epoch: number): boolean {
    return epoch === this.epoch
  }

  /** Arms the timer for a whole replica timeout (entering a rank). */
  armReplicaTimeout(): Effect.Effect<void> {
    return this.arm(replicaTimeoutMs(this.timeouts(), this.failed))
  }

  /** Arms the timer for the timeout re-broadcast: every min(duration, 28 s) once timed out (§3.5). */
  armRebroadcast(): Effect.Effect<void> {
    return this.arm(rebroadcastIntervalMs(this.timeouts(), this.failed))
  }

  private arm(ms: number): Effect.Effect<void> {
    this.epoch++
    return this.armTimer(Math.round(ms), this.epoch)
  }

  /**
   * Takes a rank-tracker step (a QC or TC received). Returns the rank change when the rank moved: the
   * controller counted a success (QC) or a failure (TC) and the caller persists, prunes and re-arms.
   */
  advance(step: RankTrackerStep, nowMs: number): RankChange | undefined {
    if (step.state === this.state && step.rankChange === undefined) return undefined
    this.state = step.state
    const change = step.rankChange
    if (change === undefined) return undefined
    this.pace.rankEnded(nowMs, change.cause === "quorum-certificate" && change.to === change.from + 1n)
    this.failed = change.cause === "quorum-certificate" ? afterProgress(this.failed) : afterTimeout(this.timeouts(), this.failed)
    return change
  }
}
