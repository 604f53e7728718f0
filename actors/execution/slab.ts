// Small private byte arrays carved from shared slabs, for the host's hot path. For a fresh small
// typed array JavaScriptCore materialises an ArrayBuffer the first time anything needs it — a
// `subarray` of it (every field a decoder takes), lmdb reading `.buffer` of a key or value it
// writes — and that costs more than allocating the array did; a slab's is materialised once.
// A carved array is never handed out twice: a full slab is dropped, not rewound, so holding one
// is always safe. Holding one keeps its slab alive, so this is for short-lived bytes (one frame).

const SLAB_BYTES = 64 * 1024
let slab = new ArrayBuffer(0)
let slabAt = 0

/** A fresh zeroed `length`-byte array (its own allocation when large). */
export const carve = (length: number): Uint8Array => {
  if (length > SLAB_BYTES / 8) return new Uint8Array(length)
  if (slabAt + length > slab.byteLength) {
    slab = new ArrayBuffer(SLAB_BYTES)
    slabAt = 0
  }
  // A view on the buffer directly: cheaper than `subarray`, which looks up a species constructor.
  const out = new Uint8Array(slab, slabAt, length)
  slabAt += length
  return out
}

/** A private copy of `bytes`, carved. */
export const carveCopy = (bytes: Uint8Array): Uint8Array => {
  const out = carve(bytes.length)
  out.set(bytes)
  return out
}

/** `bytes[from, to)` as a view on the same memory, made on its ArrayBuffer (no `subarray` species lookup). */
export const viewOf = (bytes: Uint8Array, from: number, to: number): Uint8Array => new Uint8Array(bytes.buffer, bytes.byteOffset + from, to - from)
