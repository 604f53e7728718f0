// Process gauges for every node process (master and workers): resident memory, JS heap, and
// event-loop lag — the overshoot of a Clock-timed sleep, which is how late timers fire when the
// loop is busy.
import { Clock, Duration, Effect, Layer, Metric, Schedule } from "effect"

const residentMemoryBytes = Metric.gauge("quilbun_process_resident_memory_bytes", {
  description: "Resident set size of the process in bytes.",
})
const heapUsedBytes = Metric.gauge("quilbun_process_heap_used_bytes", {
  description: "JavaScript heap in use, in bytes.",
})
const heapTotalBytes = Metric.gauge("quilbun_process_heap_total_bytes", {
  description: "JavaScript heap reserved, in bytes.",
})
const eventLoopLagSeconds = Metric.gauge("quilbun_event_loop_lag_seconds", {
  description: "How late a timed sleep resumed, in seconds (event-loop lag).",
})

/** Samples memory now and the loop lag over one `probe` sleep. */
const sampleProcessMetrics = (probe: Duration.DurationInput) =>
  Effect.gen(function* () {
    const wanted = Duration.toNanos(Duration.decode(probe))
    const before = yield* Clock.currentTimeNanos
    yield* Effect.sleep(probe)
    const after = yield* Clock.currentTimeNanos
    const lagNanos = after - before - (wanted._tag === "Some" ? wanted.value : 0n)
    yield* Metric.set(eventLoopLagSeconds, Math.max(0, Number(lagNanos) / 1e9))
    const memory = process.memoryUsage()
    yield* Metric.set(residentMemoryBytes, memory.rss)
    yield* Metric.set(heapUsedBytes, memory.heapUsed)
    yield* Metric.set(heapTotalBytes, memory.heapTotal)
  })

/** Keeps the process gauges fresh for as long as the layer is alive. */
export const ProcessMetricsLive = (every: Duration.DurationInput = "1 second"): Layer.Layer<never> =>
  Layer.scopedDiscard(Effect.forkScoped(sampleProcessMetrics("100 millis").pipe(Effect.repeat(Schedule.spaced(every)), Effect.interruptible)))
