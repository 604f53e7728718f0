// Effect Metrics of the VDF service, tagged with the engine (native | typescript).
import { Metric } from "effect"

/** Wall time of completed solves (prove / proveMulti), in the Worker. */
export const solveDuration = Metric.timerWithBoundaries(
  "quilbun_vdf_solve_duration",
  [100, 250, 500, 1000, 2000, 3000, 5000, 10000, 30000],
  "VDF solve wall time (ms)",
)

/** Wall time of verifications (verify / verifyMulti), on the calling thread. */
export const verifyDuration = Metric.timerWithBoundaries("quilbun_vdf_verify_duration", [5, 10, 25, 50, 100, 250, 500, 1000, 3000], "VDF verify wall time (ms)")
