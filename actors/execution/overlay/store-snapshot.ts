// Committed state over the store (spec §11.2 bottom layer): one row per atom in the `vertices`
// bucket (design.md §5 "state vertices"), keyed `kind(1) ‖ id(64)`, valued `0x00` (removed) or
// `0x01 ‖ data`. Reads are synchronous LMDB reads; because only the host's frame commit writes
// this bucket, reads during a frame see the state as of its start. A read failure (closed store,
// corrupt row) is a storage fault and surfaces as the store's own typed error thrown as a defect:
// it fails the frame, not one operation.
import { type AtomRef, ID_LENGTH, type Lookup } from "../../../intrinsics/contract/index.ts"
import { Buckets, defineRepository, KeyCodec, type Repository, type ValueCodec, type WriteTx } from "../../../runtime/store/index.ts"
import type { Change, RecordedChange } from "./changes.ts"
import type { CommittedSnapshot } from "./committed.ts"

const KIND_VERTEX = 0
const KIND_HYPEREDGE = 1

/**
 * Row keys and values to write are carved from shared slabs: lmdb reads `.buffer` of every key and
 * value it writes, and for a fresh small typed array JavaScriptCore materialises an ArrayBuffer
 * each time (~30% of a frame's row writes); a slab's exists from the start. A carved array is
 * never handed out twice: a full slab is dropped, not rewound, so holding one is always safe.
 */
const SLAB_BYTES = 64 * 1024
let slab = new ArrayBuffer(0)
let slabAt = 0
const carve = (length: number): Uint8Array => {
  if (length > SLAB_BYTES / 8) return new Uint8Array(length)
  if (slabAt + length > slab.byteLength) {
    slab = new ArrayBuffer(SLAB_BYTES)
    slabAt = 0
  }
  // A view made on the buffer directly: cheaper than `subarray`, which looks up a species constructor.
  const out = new Uint8Array(slab, slabAt, length)
  slabAt += length
  return out
}

/** The one row key of reads: lmdb copies a read's key into its own key buffer before returning, and reads are synchronous. */
const readKey = new Uint8Array(1 + ID_LENGTH)

/** A row key for a write, carved from a slab. */
const writeKey = (ref: AtomRef): Uint8Array => fillRowKey(carve(1 + ID_LENGTH), ref)

const fillRowKey = (key: Uint8Array, ref: AtomRef): Uint8Array => {
  key[0] = ref.kind === "vertex" ? KIND_VERTEX : KIND_HYPEREDGE
  key.set(ref.id, 1)
  return key
}

/** `Absent` is never stored: an absent atom has no row. */
type StoredAtom = { readonly _tag: "Present"; readonly value: Uint8Array } | { readonly _tag: "Removed" }

const storedAtomCodec: ValueCodec<StoredAtom> = {
  encode: (atom) => {
    if (atom._tag === "Removed") return Uint8Array.of(0)
    const out = carve(1 + atom.value.length)
    out[0] = 1
    out.set(atom.value, 1)
    return out
  },
  // Throws on an unknown tag; the repository reports that as StoreCorrupt with the key.
  decode: (bytes) => {
    if (bytes.length === 1 && bytes[0] === 0) return { _tag: "Removed" }
    if (bytes.length >= 1 && bytes[0] === 1) return { _tag: "Present", value: dropTag(bytes) }
    throw new Error(`not a stored atom (tag ${bytes[0]}, ${bytes.length} bytes)`)
  },
}

/**
 * The value after the tag byte, as a fresh array (not a view of `bytes`, which may be lmdb's read
 * buffer: `storeSnapshot` decodes in place).
 * Small values are copied by hand: `subarray`/`slice` of the fresh array lmdb returns make
 * JavaScriptCore materialise its ArrayBuffer first, which cost more than the copy.
 */
const dropTag = (bytes: Uint8Array): Uint8Array => {
  const n = bytes.length - 1
  if (n > 256) return Uint8Array.prototype.slice.call(bytes, 1)
  const out = new Uint8Array(n)
  for (let i = 0; i < n; i++) out[i] = bytes[i + 1] as number
  return out
}

export const committedAtoms = defineRepository({
  bucket: Buckets.vertices,
  key: KeyCodec.fixedBytes(1 + ID_LENGTH),
  value: storedAtomCodec,
})

export const storeSnapshot = (atoms: Repository<Uint8Array, StoredAtom>): CommittedSnapshot => ({
  // Every answer is a fresh object and value (the CommittedSnapshot contract): the codec's decode
  // copies the value out of lmdb's read buffer, so the repository need not copy it first.
  read: (ref: AtomRef): Lookup => (ref.id.length === ID_LENGTH ? (atoms.getInPlace(fillRowKey(readKey, ref)) ?? { _tag: "Absent" }) : { _tag: "Absent" }),
})

/** Writes a frame's changes inside the host's frame commit (the one write transaction of spec §11.2). */
export const writeChanges = (tx: WriteTx, atoms: Repository<Uint8Array, StoredAtom>, changes: ReadonlyArray<Change>): void => {
  for (const change of changes) {
    if (change.next._tag === "Absent") continue // never produced by an overlay; nothing to write
    atoms.put(tx, writeKey(change.ref), change.next)
  }
}

/** Undoes a frame's changes inside a revert commit: every atom back to its prior state, an `Absent` prior deletes the row. */
export const restoreChanges = (tx: WriteTx, atoms: Repository<Uint8Array, StoredAtom>, changes: ReadonlyArray<RecordedChange>): void => {
  for (const change of changes) {
    if (change.prior._tag === "Absent") atoms.delete(tx, writeKey(change.ref))
    else atoms.put(tx, writeKey(change.ref), change.prior)
  }
}
