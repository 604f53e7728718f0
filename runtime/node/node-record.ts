// What a node process remembers about itself in its own store (meta bucket): how many times it
// booted and a heartbeat sequence committed periodically. A restart reads them back, and the
// heartbeat proves committed writes survive a kill -9 (each beat is one durable LMDB commit).
import { Context, Effect, Layer, Schedule, type Duration } from "effect"
import { Buckets, KeyCodec, Store, ValueCodec, type RepositoryDef } from "../store/index.ts"

const nodeMeta = {
  bucket: Buckets.meta,
  key: KeyCodec.string,
  value: ValueCodec.cbor<number>(),
} satisfies RepositoryDef<string, number>

const BOOTS = "node.boots"
const HEARTBEAT = "node.heartbeat"

export interface NodeRecordService {
  /** Boot count including this one. */
  readonly boots: number
  /** Last committed heartbeat sequence (read from the store). */
  readonly heartbeat: Effect.Effect<number>
}

export class NodeRecord extends Context.Tag("quilbun/NodeRecord")<NodeRecord, NodeRecordService>() {}

/** `heartbeatEvery` undefined: record the boot only (workers; a synchronous LMDB commit fsyncs and
 * blocks the event loop, so only the master pays for a periodic one). */
export const NodeRecordLive = (heartbeatEvery?: Duration.DurationInput): Layer.Layer<NodeRecord, never, Store> =>
  Layer.scoped(
    NodeRecord,
    Effect.gen(function* () {
      const store = yield* Store
      const meta = store.repository(nodeMeta)
      const boots = yield* store
        .commit((tx) => {
          const next = (meta.get(BOOTS) ?? 0) + 1
          meta.put(tx, BOOTS, next)
          return next
        })
        .pipe(Effect.orDie)
      const beat = store
        .commit((tx) => meta.put(tx, HEARTBEAT, (meta.get(HEARTBEAT) ?? 0) + 1))
        .pipe(Effect.catchAll((e) => Effect.logWarning("heartbeat commit failed", e.message)))
      if (heartbeatEvery !== undefined) yield* Effect.forkScoped(beat.pipe(Effect.repeat(Schedule.spaced(heartbeatEvery))))
      yield* Effect.logInfo("node record").pipe(Effect.annotateLogs({ boots, store: store.path }))
      return {
        boots,
        heartbeat: store.read(() => meta.get(HEARTBEAT) ?? 0).pipe(Effect.orElseSucceed(() => -1)),
      }
    }),
  )
