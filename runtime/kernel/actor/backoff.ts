// Restart backoff schedules. Jitter draws from Effect's Random service, so a seeded Random
// (`Effect.withRandom(Random.make(seed))`) gives the same delays on every run.
import { Duration, Schedule } from "effect"

export interface ExponentialBackoff {
  /** First delay. Default 10 ms. */
  readonly base?: Duration.DurationInput
  /** Growth per restart. Default 2. */
  readonly factor?: number
  /** Upper bound of any delay (applied after jitter). Default 1 s. */
  readonly cap?: Duration.DurationInput
  /** Multiply each delay by a random factor in [0.8, 1.2). Default true. */
  readonly jitter?: boolean
}

/** base, base*factor, base*factor^2, ... (jittered, capped); never ends: intensity limits restarts. */
export const exponential = (options: ExponentialBackoff = {}): Schedule.Schedule<Duration.Duration, unknown> => {
  const cap = Duration.decode(options.cap ?? "1 second")
  const grow = Schedule.exponential(options.base ?? "10 millis", options.factor ?? 2)
  const jittered = options.jitter === false ? grow : Schedule.jittered(grow)
  return Schedule.modifyDelay(jittered, (_, delay) => Duration.min(delay, cap))
}

/** Restart immediately every time. */
export const immediate: Schedule.Schedule<number, unknown> = Schedule.forever

/** The same delay before every restart. */
export const fixed = (delay: Duration.DurationInput): Schedule.Schedule<number, unknown> => Schedule.spaced(delay)
