// Per-frame records (spec §3.7, §11.2): in the frame's one write transaction the host stores,
// keyed by frame number, the execution root and the frame's sorted change list with prior
// values. Revert reads them newest-first; the newest key is the host's head after a restart.
// Value: `u32 len ‖ root ‖ u32 count ‖ change*` (canonical, so every node stores the same bytes).
import * as Either from "effect/Either"
import { CanonicalReader, CanonicalWriter } from "../../intrinsics/contract/index.ts"
import { Buckets, defineRepository, KeyCodec, type ValueCodec } from "../../runtime/store/index.ts"
import { type Change, encodeChanges, readChanges } from "./overlay/index.ts"

interface FrameRecord {
  readonly root: Uint8Array
  readonly changes: ReadonlyArray<Change>
}

const encodeFrameRecord = (record: FrameRecord): Uint8Array => encodeChanges(record.changes, new CanonicalWriter().bytes(record.root).finish())

const decodeFrameRecord = (bytes: Uint8Array): FrameRecord => {
  const r = new CanonicalReader(bytes)
  const decoded = Either.gen(function* () {
    const root = yield* r.bytes("root")
    const changes = yield* readChanges(r)
    yield* r.end()
    return { root, changes }
  })
  // The repository turns this throw into StoreCorrupt naming the key.
  if (Either.isLeft(decoded)) throw new Error(decoded.left.message)
  return decoded.right
}

const frameRecordCodec: ValueCodec<FrameRecord> = { encode: encodeFrameRecord, decode: decodeFrameRecord }

export const frameRecords = defineRepository({ bucket: Buckets.executionFrames, key: KeyCodec.u64, value: frameRecordCodec })
