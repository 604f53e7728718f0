// How a crashed worker process is restarted: exponential backoff with a cap, and an intensity
// limit (at most `maxRestarts` within `window`) after which the slot gives up until told to retry.
import { Duration, Schedule } from "effect"

export interface RestartPolicy {
  /** First backoff delay; doubles per consecutive crash. */
  readonly backoffBase: Duration.DurationInput
  /** Largest backoff delay. */
  readonly backoffCap: Duration.DurationInput
  readonly maxRestarts: number
  readonly window: Duration.DurationInput
}

export const defaultRestartPolicy: RestartPolicy = {
  backoffBase: "50 millis",
  backoffCap: "5 seconds",
  maxRestarts: 10,
  window: "60 seconds",
}

/** exponential(base) ∪ spaced(cap): the shorter delay wins, so the delay never exceeds the cap. */
export const backoffSchedule = (policy: RestartPolicy) => Schedule.exponential(policy.backoffBase).pipe(Schedule.union(Schedule.spaced(policy.backoffCap)))

/**
 * Keeps crash times inside the window. `record` returns false once the limit is exceeded
 * (the (maxRestarts+1)-th crash within the window).
 */
export const makeIntensityTracker = (policy: RestartPolicy) => {
  const windowMs = Duration.toMillis(Duration.decode(policy.window))
  let crashes: Array<number> = []
  return {
    record: (nowMs: number): boolean => {
      crashes = crashes.filter((t) => nowMs - t < windowMs)
      crashes.push(nowMs)
      return crashes.length <= policy.maxRestarts
    },
    reset: (): void => {
      crashes = []
    },
    /** A run that lasted a whole window proves the worker healthy again. */
    isStable: (uptimeMs: number): boolean => uptimeMs >= windowMs,
  }
}
