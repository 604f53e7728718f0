// Per-frame records (spec §3.7, §11.2): in the frame's one write transaction the host stores,
// keyed by frame number, the execution root and what undoes the frame's sorted change list (every
// prior value, the next states' tags). Revert reads them newest-first; the newest key is the host's
// head after a restart. Canonical, so every node stores the same bytes.
//
// Two layouts, told apart by the first byte (D-EXEC-26):
//   format 2 (written): `u8 2 ‖ u32 len ‖ root ‖ encodeRecordedChanges` — no next values;
//   format 1 (read only, written before): `u32 len ‖ root ‖ encodeChanges` — its first byte is 0,
//   a root being far shorter than 2^24 bytes. Its next values are dropped when read.
import * as Either from "effect/Either"
import { CanonicalReader, CanonicalWriter, malformed, type OpError } from "../../intrinsics/contract/index.ts"
import { Buckets, defineRepository, KeyCodec, type ValueCodec } from "../../runtime/store/index.ts"
import { encodeRecordedChanges, type RecordedChange, readChanges, readRecordedChanges } from "./overlay/index.ts"

export interface FrameRecord {
  readonly root: Uint8Array
  readonly changes: ReadonlyArray<RecordedChange>
}

const FORMAT_2 = 2

export const encodeFrameRecord = (record: FrameRecord): Uint8Array =>
  encodeRecordedChanges(record.changes, new CanonicalWriter().u8(FORMAT_2).bytes(record.root).finish())

/** A format-1 change as format 2 keeps it: the next value dropped (a fresh object, so it is not kept alive). */
const withoutNextValue = (c: RecordedChange): RecordedChange => ({ ref: c.ref, prior: c.prior, next: { _tag: c.next._tag } })

/** Total: a malformed record is a Left naming what is wrong. */
export const decodeFrameRecord = (bytes: Uint8Array): Either.Either<FrameRecord, OpError> => {
  const r = new CanonicalReader(bytes)
  return Either.gen(function* () {
    // Format 1 has no format byte (its first byte, the root length's top byte, is 0); later ones do.
    const format = bytes[0] === 0 ? 1 : yield* r.u8("record format")
    if (bytes[0] !== 0 && format !== FORMAT_2) return yield* Either.left(malformed(undefined, `frame record format ${format}`))
    const root = yield* r.bytes("root")
    const changes = format === 1 ? (yield* readChanges(r)).map(withoutNextValue) : yield* readRecordedChanges(r)
    yield* r.end()
    return { root, changes }
  })
}

const frameRecordCodec: ValueCodec<FrameRecord> = {
  encode: encodeFrameRecord,
  decode: (bytes) => {
    const decoded = decodeFrameRecord(bytes)
    // The repository turns this throw into StoreCorrupt naming the key.
    if (Either.isLeft(decoded)) throw new Error(decoded.left.message)
    return decoded.right
  },
}

export const frameRecords = defineRepository({ bucket: Buckets.executionFrames, key: KeyCodec.u64, value: frameRecordCodec })
