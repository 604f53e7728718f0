/**
 * Builder for the reference's canonical big-endian encoding (consensus.md §0): u32 type prefix,
 * fixed-width big-endian integers, `u32 length ‖ bytes` byte fields, `u32 length ‖ nested` messages
 * (length 0 = absent) and `u32 count` before repeated fields.
 *
 * Values out of range for their width are programming errors (the typed message classes never hold
 * them), so they throw a RangeError instead of wrapping silently into different signed bytes.
 */
const U32_MAX = 0xffff_ffff
const U64_MAX = (1n << 64n) - 1n
const I64_MIN = -(1n << 63n)
const I64_MAX = (1n << 63n) - 1n

export class CanonicalWriter {
  private buffer: Uint8Array
  private view: DataView
  private length = 0

  constructor(initialCapacity = 256) {
    this.buffer = new Uint8Array(initialCapacity)
    this.view = new DataView(this.buffer.buffer)
  }

  /**
   * Grows the buffer if needed and returns the write offset. Callers must call it *before* reading
   * `this.view` / `this.buffer`, because growing replaces both.
   */
  private reserve(extra: number): number {
    const start = this.length
    const needed = start + extra
    if (needed > this.buffer.length) {
      let capacity = Math.max(64, this.buffer.length * 2)
      while (capacity < needed) capacity *= 2
      const grown = new Uint8Array(capacity)
      grown.set(this.buffer.subarray(0, start))
      this.buffer = grown
      this.view = new DataView(grown.buffer)
    }
    this.length = needed
    return start
  }

  u8(value: number): this {
    if (!Number.isInteger(value) || value < 0 || value > 0xff) throw new RangeError(`u8 out of range: ${value}`)
    const at = this.reserve(1)
    this.buffer[at] = value
    return this
  }

  u16(value: number): this {
    if (!Number.isInteger(value) || value < 0 || value > 0xffff) throw new RangeError(`u16 out of range: ${value}`)
    const at = this.reserve(2)
    this.view.setUint16(at, value, false)
    return this
  }

  u32(value: number): this {
    if (!Number.isInteger(value) || value < 0 || value > U32_MAX) throw new RangeError(`u32 out of range: ${value}`)
    const at = this.reserve(4)
    this.view.setUint32(at, value, false)
    return this
  }

  u64(value: bigint): this {
    if (value < 0n || value > U64_MAX) throw new RangeError(`u64 out of range: ${value}`)
    const at = this.reserve(8)
    this.view.setBigUint64(at, value, false)
    return this
  }

  i64(value: bigint): this {
    if (value < I64_MIN || value > I64_MAX) throw new RangeError(`i64 out of range: ${value}`)
    const at = this.reserve(8)
    this.view.setBigInt64(at, value, false)
    return this
  }

  /** Bytes with no length prefix (used in VDF preimages and vote messages). */
  raw(bytes: Uint8Array): this {
    const at = this.reserve(bytes.length)
    this.buffer.set(bytes, at)
    return this
  }

  /** `u32 length ‖ bytes`. */
  bytes(bytes: Uint8Array): this {
    return this.u32(bytes.length).raw(bytes)
  }

  /** A nested message: `u32 length ‖ canonical bytes`, or a zero length when absent. */
  nested(encoded: Uint8Array | undefined): this {
    return encoded === undefined ? this.u32(0) : this.bytes(encoded)
  }

  /** A repeated byte field: `u32 count`, then `u32 length ‖ bytes` per item. */
  repeatedBytes(items: ReadonlyArray<Uint8Array>): this {
    this.u32(items.length)
    for (const item of items) this.bytes(item)
    return this
  }

  /** A copy of the bytes written so far. */
  finish(): Uint8Array {
    return this.buffer.slice(0, this.length)
  }
}

/** Concatenates byte strings (message preimages, domains). */
export const concatBytes = (...parts: ReadonlyArray<Uint8Array>): Uint8Array => {
  let total = 0
  for (const part of parts) total += part.length
  const out = new Uint8Array(total)
  let offset = 0
  for (const part of parts) {
    out.set(part, offset)
    offset += part.length
  }
  return out
}

export const u64BigEndian = (value: bigint): Uint8Array => new CanonicalWriter(8).u64(value).finish()
