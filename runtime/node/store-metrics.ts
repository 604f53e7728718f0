// Publishes the store's stats (map size, entries per bucket) as gauges while the layer lives.
import { Effect, Layer, Schedule, type Duration } from "effect"
import { recordStoreMetrics, Store } from "../store/index.ts"

export const StoreMetricsLive = (every: Duration.DurationInput): Layer.Layer<never, never, Store> =>
  Layer.scopedDiscard(
    Effect.gen(function* () {
      const store = yield* Store
      yield* Effect.forkScoped(Effect.flatMap(store.stats, recordStoreMetrics).pipe(Effect.repeat(Schedule.spaced(every))))
    }),
  )
