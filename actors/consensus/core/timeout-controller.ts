/**
 * Pacemaker timeout controller: truncated exponential back-off (consensus.md §3.3). Pure functions of
 * the failure counter r; the pacemaker actor owns r and the timers.
 */
export interface TimeoutConfig {
  readonly minReplicaTimeoutMs: number
  readonly maxReplicaTimeoutMs: number
  readonly timeoutAdjustmentFactor: number
  readonly happyPathMaxRoundFailures: number
  readonly maxTimeoutStateRebroadcastIntervalMs: number
}

/** Values both engines run with (`consensus/participant/participant.go`). */
export const participantTimeoutConfig: TimeoutConfig = {
  minReplicaTimeoutMs: 36_000,
  maxReplicaTimeoutMs: 180_000,
  timeoutAdjustmentFactor: 1.2,
  happyPathMaxRoundFailures: 6,
  maxTimeoutStateRebroadcastIntervalMs: 28_000,
}

/** ln(Max/Min) / ln(factor): the number of increases after which the timeout is capped. */
export const maxExponent = (c: TimeoutConfig): number => Math.log(c.maxReplicaTimeoutMs / c.minReplicaTimeoutMs) / Math.log(c.timeoutAdjustmentFactor)

/** Min while r ≤ happy path; else Min·factor^(r − happy), capped at Max once r − happy ≥ maxExponent. */
export const replicaTimeoutMs = (c: TimeoutConfig, r: number): number => {
  if (r <= c.happyPathMaxRoundFailures) return c.minReplicaTimeoutMs
  const exponent = r - c.happyPathMaxRoundFailures
  if (exponent >= maxExponent(c)) return c.maxReplicaTimeoutMs
  return c.minReplicaTimeoutMs * c.timeoutAdjustmentFactor ** exponent
}

/** A rank ended by a TC: r + 1, unless r already reached maxExponent + happy path. */
export const afterTimeout = (c: TimeoutConfig, r: number): number => (r >= maxExponent(c) + c.happyPathMaxRoundFailures ? r : r + 1)

/** A rank ended by a QC: r − 1, floored at 0. */
export const afterProgress = (r: number): number => (r > 0 ? r - 1 : 0)

/** After the first firing, the timeout is re-broadcast every min(duration, max rebroadcast interval). */
export const rebroadcastIntervalMs = (c: TimeoutConfig, r: number): number => Math.min(replicaTimeoutMs(c, r), c.maxTimeoutStateRebroadcastIntervalMs)
