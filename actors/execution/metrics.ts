// Metrics of the execution host. Failures are counted per reason so a misbehaving intrinsic
// (throws, timeouts, garbage) shows up without taking the actor down (design.md §4).
import * as Metric from "effect/Metric"
import type { FailureReason } from "./failure.ts"

const bundleFailuresTotal = Metric.counter("quilbun_execution_bundle_failures_total", {
  description: "bundles dropped by the execution host, by reason",
  incremental: true,
})

export const countBundleFailure = (reason: FailureReason) => Metric.increment(Metric.tagged(bundleFailuresTotal, "reason", reason))

export const bundleFailures = (reason: FailureReason) => Metric.tagged(bundleFailuresTotal, "reason", reason)
