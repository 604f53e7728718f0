// Metrics of the execution host. Failures are counted per reason so a misbehaving intrinsic
// (throws, timeouts, garbage) shows up without taking the actor down (design.md §4), and per
// intrinsic, so an operator sees which plugin it is (plugins/README.md "Isolation").
import * as Effect from "effect/Effect"
import * as Metric from "effect/Metric"
import type { FailureReason } from "./failure.ts"

const bundleFailuresTotal = Metric.counter("quilbun_execution_bundle_failures_total", {
  description: "bundles dropped by the execution host, by reason",
  incremental: true,
})

export const countBundleFailure = (reason: FailureReason) => Metric.increment(Metric.tagged(bundleFailuresTotal, "reason", reason))

export const bundleFailures = (reason: FailureReason) => Metric.tagged(bundleFailuresTotal, "reason", reason)

const operationsAppliedTotal = Metric.counter("quilbun_intrinsic_operations_applied_total", {
  description: "operations of each intrinsic in bundles the host applied (committed with their frame)",
  incremental: true,
})

const operationsFailedTotal = Metric.counter("quilbun_intrinsic_operations_failed_total", {
  description: "operations of each intrinsic that failed their bundle, by reason",
  incremental: true,
})

const budgetExceededTotal = Metric.counter("quilbun_intrinsic_budget_exceeded_total", {
  description: "operations of each intrinsic that overran the per-operation budget",
  incremental: true,
})

export const operationsApplied = (intrinsic: string) => Metric.tagged(operationsAppliedTotal, "intrinsic", intrinsic)
export const operationsFailed = (intrinsic: string, reason: FailureReason) =>
  Metric.tagged(Metric.tagged(operationsFailedTotal, "intrinsic", intrinsic), "reason", reason)
export const budgetExceeded = (intrinsic: string) => Metric.tagged(budgetExceededTotal, "intrinsic", intrinsic)

/** One failed operation of `intrinsic` (a timeout also counts as budget exceeded). */
export const countOperationFailure = (intrinsic: string, reason: FailureReason) =>
  reason === "timeout"
    ? Effect.zipRight(Metric.increment(operationsFailed(intrinsic, reason)), Metric.increment(budgetExceeded(intrinsic)))
    : Metric.increment(operationsFailed(intrinsic, reason))

/** A frame's applied operations, counted once per intrinsic at the end of the frame (not per operation: hot path). */
export const countOperationsApplied = (tally: ReadonlyMap<string, number>) =>
  Effect.forEach(tally, ([intrinsic, n]) => Metric.incrementBy(operationsApplied(intrinsic), n), { discard: true })
