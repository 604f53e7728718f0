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

/** The one row key of reads: lmdb copies a read's key into its own key buffer before returning, and reads are synchronous. */
const readKey = new Uint8Array(1 + ID_LENGTH)

const fillRowKey = (key: Uint8Array, ref: AtomRef): Uint8Array => {
  key[0] = ref.kind === "vertex" ? KIND_VERTEX : KIND_HYPEREDGE
  key.set(ref.id, 1)
  return key
}

/**
 * Rows a commit writes are encoded into one key and one value buffer, overwritten row by row
 * (`Repository.putEncoded`: inside the commit lmdb copies both before each put returns). A fresh
 * key and value per row cost ~2× the put itself: lmdb reads `.buffer` of every value it writes (for
 * a fresh small array JavaScriptCore materialises an ArrayBuffer, and lmdb caches its address on it
 * as a new property), and the two arrays were most of a frame's garbage.
 */
const writeKey = new Uint8Array(1 + ID_LENGTH)
const ROW_SCRATCH_BYTES = 64 * 1024
const rowScratch = new ArrayBuffer(ROW_SCRATCH_BYTES)
/** Views of `rowScratch` by length, made once each: lmdb takes a value's length from its array. */
const rowViews: Array<Uint8Array | undefined> = []
const rowValue = (length: number): Uint8Array => {
  if (length > ROW_SCRATCH_BYTES) return new Uint8Array(length)
  let view = rowViews[length]
  if (view === undefined) {
    view = new Uint8Array(rowScratch, 0, length)
    rowViews[length] = view
  }
  return view
}

/** The row key of `ref` in the reused write key; refuses an id that is not 64 bytes (as the key codec would). */
const rowKeyOf = (ref: AtomRef): Uint8Array => {
  if (ref.id.length !== ID_LENGTH) throw new RangeError(`an atom id is ${ID_LENGTH} bytes, got ${ref.id.length}`)
  return fillRowKey(writeKey, ref)
}

/** `0x00` (removed) or `0x01 ‖ value`, in `out` (a fresh array, or the reused row value). */
const encodeStoredAtom = (atom: StoredAtom, sized: (length: number) => Uint8Array): Uint8Array => {
  if (atom._tag === "Removed") {
    const out = sized(1)
    out[0] = 0
    return out
  }
  const out = sized(1 + atom.value.length)
  out[0] = 1
  out.set(atom.value, 1)
  return out
}

const fresh = (length: number): Uint8Array => new Uint8Array(length)

/** `Absent` is never stored: an absent atom has no row. */
type StoredAtom = { readonly _tag: "Present"; readonly value: Uint8Array } | { readonly _tag: "Removed" }

const storedAtomCodec: ValueCodec<StoredAtom> = {
  encode: (atom) => encodeStoredAtom(atom, fresh),
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
    atoms.putEncoded(tx, rowKeyOf(change.ref), encodeStoredAtom(change.next, rowValue))
  }
}

/** Undoes a frame's changes inside a revert commit: every atom back to its prior state, an `Absent` prior deletes the row. */
export const restoreChanges = (tx: WriteTx, atoms: Repository<Uint8Array, StoredAtom>, changes: ReadonlyArray<RecordedChange>): void => {
  for (const change of changes) {
    if (change.prior._tag === "Absent") atoms.delete(tx, rowKeyOf(change.ref))
    else atoms.putEncoded(tx, rowKeyOf(change.ref), encodeStoredAtom(change.prior, rowValue))
  }
}
