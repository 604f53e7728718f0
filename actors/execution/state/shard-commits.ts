// Per-frame shard commits (spec §3.6 `SetShardCommit`), bucket 14 `shard_commits`: for each frame
// and each app address L2 the frame touched, the roots of its four id-set tries in the order
// vertex-adds, vertex-removes, hyperedge-adds, hyperedge-removes. Key `L2(32) ‖ u64BE frame`, so the
// roots of L2 as of frame f are the newest row ≤ f (one reverse seek); shards a frame did not touch
// keep their previous row. Value: four `u32BE len ‖ root` (the same bytes that enter the execution root).
import { Buckets, defineRepository, KeyCodec, type Repository, type ValueCodec } from "../../../runtime/store/index.ts"

/** The four roots of one shard key, in id-set order. */
export type SetRoots = ReadonlyArray<Uint8Array>

export const SET_COUNT = 4

/** `u32BE len ‖ root` for each of the four roots. */
export const encodeRoots = (roots: SetRoots): Uint8Array => {
  const out = new Uint8Array(roots.reduce((n, r) => n + 4 + r.length, 0))
  const view = new DataView(out.buffer)
  let at = 0
  for (const r of roots) {
    view.setUint32(at, r.length)
    out.set(r, at + 4)
    at += 4 + r.length
  }
  return out
}

const decodeRoots = (bytes: Uint8Array): SetRoots => {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const roots: Array<Uint8Array> = []
  let at = 0
  while (roots.length < SET_COUNT) {
    if (at + 4 > bytes.length) throw new Error("shard commit truncated")
    const length = view.getUint32(at)
    if (at + 4 + length > bytes.length) throw new Error("shard commit root truncated")
    roots.push(bytes.slice(at + 4, at + 4 + length))
    at += 4 + length
  }
  // The repository turns a throw into StoreCorrupt naming the key.
  if (at !== bytes.length) throw new Error("trailing bytes after four roots")
  return roots
}

const rootsCodec: ValueCodec<SetRoots> = { encode: encodeRoots, decode: decodeRoots }

export const shardCommitRows = defineRepository({
  bucket: Buckets.shardCommits,
  key: KeyCodec.tuple(KeyCodec.fixedBytes(32), KeyCodec.u64),
  value: rootsCodec,
})

type ShardCommitRepository = Repository<readonly [Uint8Array, bigint], SetRoots>

/** The roots of `l2` as of `frameNumber` (its newest row at or below it), if it has any. */
export const rootsAsOf = (repo: ShardCommitRepository, l2: Uint8Array, frameNumber: bigint): SetRoots | undefined =>
  repo.range({ prefix: shardCommitRows.key.prefix(l2), lt: [l2, frameNumber + 1n], reverse: true, limit: 1 })[0]?.value

/** Every L2 with a row and its newest roots, in L2 order (one seek per L2, not a scan of all rows). */
export const latestRoots = (repo: ShardCommitRepository): Array<{ readonly l2: Uint8Array; readonly roots: SetRoots }> => {
  const out: Array<{ l2: Uint8Array; roots: SetRoots }> = []
  let from: Uint8Array | undefined = new Uint8Array(32)
  while (from !== undefined) {
    const first = repo.keys({ gte: [from, 0n], limit: 1 })[0]
    if (first === undefined) break
    const l2 = first[0]
    const newest = repo.range({ prefix: shardCommitRows.key.prefix(l2), reverse: true, limit: 1 })[0]
    if (newest !== undefined) out.push({ l2, roots: newest.value })
    from = nextL2(l2)
  }
  return out
}

/** The next 32-byte value after `l2` (undefined after 0xff×32). */
const nextL2 = (l2: Uint8Array): Uint8Array | undefined => {
  const next = l2.slice()
  for (let i = next.length - 1; i >= 0; i--) {
    if (next[i] !== 0xff) {
      next[i] = next[i]! + 1
      return next
    }
    next[i] = 0
  }
  return undefined
}
