// The master's shard allocation table: which data worker (core) covers which app shard. One shard per
// worker (each worker's execution host has one frame sequence), so a node with W workers covers at
// most W shards. Rows live in the master store's `workers` bucket under the `shard-allocation` prefix,
// so a restarted master re-covers the same shards; on a devnet a shard nobody covers is allocated to
// a free worker (one without a shard) the first time a bundle for it arrives.
import { bytesToHex } from "@noble/hashes/utils.js"
import { Data, Effect, Schema } from "effect"
import { Buckets, defineRepository, KeyCodec, type StoreCommitFailed, type StoreReadFailed, type StoreService, ValueCodec } from "../store/index.ts"

/** Row kind of the `workers` bucket: `("shard-allocation", shard address) → { core }`. */
const ALLOCATION = "shard-allocation"

const allocationRows = defineRepository({
  bucket: Buckets.workers,
  key: KeyCodec.tuple(KeyCodec.string, KeyCodec.bytes),
  value: ValueCodec.schema(Schema.Struct({ core: Schema.Int })),
})

interface ShardAllocation {
  readonly shard: Uint8Array
  readonly core: number
}

/** No worker can take the shard: every worker already covers one, or the node is not a devnet. */
class NoFreeWorker extends Data.TaggedError("NoFreeWorker")<{ readonly shard: Uint8Array; readonly detail: string }> {}

export interface ShardAllocationTable {
  readonly coreOf: (shard: Uint8Array) => number | undefined
  readonly entries: () => ReadonlyArray<ShardAllocation>
  /** The shard's core, allocating a free worker first (devnet only); `fresh` when it was allocated now. */
  readonly allocate: (shard: Uint8Array) => Effect.Effect<{ readonly core: number; readonly fresh: boolean }, NoFreeWorker | StoreCommitFailed>
}

export interface ShardAllocationOptions {
  /** The node's data-worker cores. */
  readonly cores: ReadonlyArray<number>
  /** Only a devnet allocates shards by itself (elsewhere the prover registry will decide). */
  readonly devnet: boolean
}

/** Loads the persisted table; rows naming a core this node no longer runs are ignored (kept in the store). */
export const makeShardAllocationTable = (store: StoreService, options: ShardAllocationOptions): Effect.Effect<ShardAllocationTable, StoreReadFailed> =>
  Effect.gen(function* () {
    const rows = store.repository(allocationRows)
    const stored = yield* store.read(() => rows.range({ prefix: allocationRows.key.prefix(ALLOCATION) }))
    const byShard = new Map<string, ShardAllocation>()
    for (const { key, value } of stored) {
      if (options.cores.includes(value.core)) byShard.set(bytesToHex(key[1]), { shard: key[1], core: value.core })
      else
        yield* Effect.logWarning("shard allocation names a worker this node does not run").pipe(
          Effect.annotateLogs({ address: bytesToHex(key[1]), core: value.core }),
        )
    }
    // Two bundles for one new shard must not take two workers: allocation runs one at a time.
    const lock = yield* Effect.makeSemaphore(1)
    const coreOf = (shard: Uint8Array) => byShard.get(bytesToHex(shard))?.core
    const allocate = (shard: Uint8Array) =>
      lock.withPermits(1)(
        Effect.gen(function* () {
          const known = coreOf(shard)
          if (known !== undefined) return { core: known, fresh: false }
          if (!options.devnet) return yield* new NoFreeWorker({ shard, detail: "shards are allocated automatically only on a devnet" })
          const taken = new Set([...byShard.values()].map((a) => a.core))
          const core = options.cores.find((c) => !taken.has(c))
          if (core === undefined) return yield* new NoFreeWorker({ shard, detail: `all ${options.cores.length} data workers cover a shard` })
          const owned = shard.slice()
          yield* store.commit((tx) => rows.put(tx, [ALLOCATION, owned], { core }))
          byShard.set(bytesToHex(owned), { shard: owned, core })
          yield* Effect.logInfo("shard covered").pipe(Effect.annotateLogs({ address: bytesToHex(owned), core }))
          return { core, fresh: true }
        }),
      )
    return { coreOf, entries: () => [...byShard.values()], allocate }
  })
