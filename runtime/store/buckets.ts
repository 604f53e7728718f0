// The bucket registry: every named sub-database of a store has a fixed number. The LMDB name is
// derived from number and name (`003_clock_frames_app`), so renaming a bucket cannot silently
// alias old data. NUMBERS ARE NEVER REUSED: retire a bucket by moving its number to
// RETIRED_BUCKET_IDS, never by giving the number to something new.

export interface Bucket {
  readonly id: number
  readonly name: string
}

export const Buckets = {
  /** Store metadata: format version. */
  meta: { id: 1, name: "meta" },
  clockFramesGlobal: { id: 2, name: "clock_frames_global" },
  clockFramesApp: { id: 3, name: "clock_frames_app" },
  /** Consensus safety and liveness records (HotStuff state). */
  consensusState: { id: 4, name: "consensus_state" },
  coins: { id: 5, name: "coins" },
  vertices: { id: 6, name: "vertices" },
  proofs: { id: 7, name: "proofs" },
  peers: { id: 8, name: "peers" },
  /** Prover registry. */
  registry: { id: 9, name: "registry" },
  /** Scratch bucket for tests and benchmarks. */
  kvTest: { id: 10, name: "kv_test" },
  /** Persisted data-worker rows (allocation, filter, manual management). */
  workers: { id: 11, name: "workers" },
  /** Vector commitment trie nodes, keyed by tree id and position path (actors/execution/state). */
  trieNodes: { id: 12, name: "trie_nodes" },
  /** Execution host: per frame, the execution root and the change list with prior values (revert data). */
  executionFrames: { id: 13, name: "execution_frames" },
  /** Execution host: per (app address L2, frame), the roots of its four hypergraph id-set tries. */
  shardCommits: { id: 14, name: "shard_commits" },
  /** App-shard HotStuff records per shard address (safety, liveness, head, proposals, selector index). */
  appConsensusState: { id: 15, name: "app_consensus_state" },
  /** Committed app-shard frames with their QCs, per shard address and frame number. */
  appFrames: { id: 16, name: "app_frames" },
  /** App shards: per bundle id, what its finalized frame decided (committed or rejected, frame, reason). */
  bundleStatus: { id: 17, name: "bundle_status" },
  /** App shards: bundles a worker acknowledged and holds in its mempool, until a frame decides them. */
  pendingBundles: { id: 18, name: "pending_bundles" },
} as const satisfies Record<string, Bucket>

/** Numbers that once named a bucket and must never be assigned again. */
const RETIRED_BUCKET_IDS: ReadonlyArray<number> = []

export const ALL_BUCKETS: ReadonlyArray<Bucket> = Object.values(Buckets)

const NAME = /^[a-z][a-z0-9_]{0,40}$/

/** The LMDB sub-database name; validated because invalid names have crashed lmdb under Bun. */
export const bucketDbName = (b: Bucket): string => {
  if (!Number.isInteger(b.id) || b.id < 1 || b.id > 999 || !NAME.test(b.name)) {
    throw new Error(`invalid bucket ${JSON.stringify(b)}`)
  }
  return `${String(b.id).padStart(3, "0")}_${b.name}`
}

/** Throws if two buckets share a number or name, or a retired number is in use (checked at store open). */
export const validateRegistry = (buckets: ReadonlyArray<Bucket> = ALL_BUCKETS): void => {
  const ids = new Set<number>()
  const names = new Set<string>()
  for (const b of buckets) {
    bucketDbName(b)
    if (ids.has(b.id) || RETIRED_BUCKET_IDS.includes(b.id)) throw new Error(`bucket number ${b.id} reused`)
    if (names.has(b.name)) throw new Error(`bucket name ${b.name} reused`)
    ids.add(b.id)
    names.add(b.name)
  }
}
