// Key codecs: keys are ordered binary, compared by LMDB byte-wise (memcmp), so every codec must
// preserve order: integers are fixed-width big-endian, and inside a tuple a variable-length part
// that is not last is escaped (0x00 -> 0x00 0xFF) and terminated (0x00 0x01), so a shorter part
// sorts before any longer part it prefixes.

export interface KeyCodec<K> {
  readonly encode: (key: K) => Uint8Array
  readonly decode: (bytes: Uint8Array) => K
  /** Set when every encoded key has this length (such parts need no escaping in a tuple). */
  readonly fixedLength?: number
}

const u64Max = (1n << 64n) - 1n

const u64: KeyCodec<bigint> = {
  fixedLength: 8,
  encode: (n) => {
    if (n < 0n || n > u64Max) throw new RangeError(`u64 key out of range: ${n}`)
    const b = new Uint8Array(8)
    new DataView(b.buffer).setBigUint64(0, n)
    return b
  },
  decode: (b) => new DataView(b.buffer, b.byteOffset, 8).getBigUint64(0),
}

/** u64 for values known to be safe integers (frame numbers, ranks): avoids bigint in hot paths. */
const u64Number: KeyCodec<number> = {
  fixedLength: 8,
  encode: (n) => {
    if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`u64 key out of range: ${n}`)
    const b = new Uint8Array(8)
    const hi = Math.floor(n / 4294967296)
    const lo = n >>> 0
    b[1] = hi >>> 16 // hi < 2^21: byte 0 is always zero
    b[2] = hi >>> 8
    b[3] = hi
    b[4] = lo >>> 24
    b[5] = lo >>> 16
    b[6] = lo >>> 8
    b[7] = lo
    return b
  },
  decode: (b) => {
    const hi = (b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!
    const lo = ((b[4]! << 24) | (b[5]! << 16) | (b[6]! << 8) | b[7]!) >>> 0
    if (hi >>> 0 >= 2097152) throw new RangeError("u64 key exceeds the safe integer range")
    return hi * 4294967296 + lo
  },
}

const u32: KeyCodec<number> = {
  fixedLength: 4,
  encode: (n) => {
    if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new RangeError(`u32 key out of range: ${n}`)
    const b = new Uint8Array(4)
    new DataView(b.buffer).setUint32(0, n)
    return b
  },
  decode: (b) => new DataView(b.buffer, b.byteOffset, 4).getUint32(0),
}

/**
 * A copy that owns its memory. LMDB hands keys over as Buffers over a buffer it reuses for the next
 * read, and `Buffer#slice` is a view, not a copy, so `b.slice()` would change under the caller.
 */
const ownedCopy = (b: Uint8Array): Uint8Array => new Uint8Array(b)

const bytes: KeyCodec<Uint8Array> = {
  encode: (b) => b,
  decode: ownedCopy,
}

const fixedBytes = (length: number): KeyCodec<Uint8Array> => ({
  fixedLength: length,
  encode: (b) => {
    if (b.length !== length) throw new RangeError(`key must be ${length} bytes, got ${b.length}`)
    return b
  },
  decode: ownedCopy,
})

const textEncoder = new TextEncoder()
const textDecoder = new TextDecoder("utf-8", { fatal: true })
const string: KeyCodec<string> = {
  encode: (s) => textEncoder.encode(s),
  decode: (b) => textDecoder.decode(b),
}

const escapeBytes = (b: Uint8Array): Uint8Array => {
  let zeros = 0
  for (const x of b) if (x === 0) zeros++
  const out = new Uint8Array(b.length + zeros + 2)
  let j = 0
  for (const x of b) {
    out[j++] = x
    if (x === 0) out[j++] = 0xff
  }
  out[j++] = 0
  out[j] = 1
  return out
}

/** Reads an escaped part starting at `at`; returns the part and the offset after its terminator. */
const unescapeBytes = (b: Uint8Array, at: number): [Uint8Array, number] => {
  const out: Array<number> = []
  let i = at
  for (;;) {
    const x = b[i]
    if (x === undefined) throw new RangeError("unterminated tuple key part")
    if (x !== 0) {
      out.push(x)
      i++
      continue
    }
    const next = b[i + 1]
    if (next === 0xff) {
      out.push(0)
      i += 2
    } else if (next === 1) return [Uint8Array.from(out), i + 2]
    else throw new RangeError("bad escape in tuple key part")
  }
}

const concat = (parts: ReadonlyArray<Uint8Array>): Uint8Array => {
  let n = 0
  for (const p of parts) n += p.length
  const out = new Uint8Array(n)
  let at = 0
  for (const p of parts) {
    out.set(p, at)
    at += p.length
  }
  return out
}

/** Any key codec, whatever its key type (`encode`'s parameter is contravariant, hence `never`). */
interface AnyKeyCodec {
  readonly encode: (key: never) => Uint8Array
  readonly decode: (bytes: Uint8Array) => unknown
  readonly fixedLength?: number
}

type KeysOf<T extends ReadonlyArray<AnyKeyCodec>> = {
  readonly [I in keyof T]: T[I] extends { readonly decode: (bytes: Uint8Array) => infer K } ? K : never
}

interface TupleKeyCodec<T extends ReadonlyArray<unknown>> extends KeyCodec<T> {
  /** Encodes the leading parts only, for prefix ranges (`repo.range({ prefix })`). */
  readonly prefix: (...parts: ReadonlyArray<unknown>) => Uint8Array
}

const tuple = <const C extends ReadonlyArray<AnyKeyCodec>>(...codecs: C): TupleKeyCodec<KeysOf<C>> => {
  const encodePart = (i: number, value: unknown, last: boolean): Uint8Array => {
    const c = codecs[i]
    if (c === undefined) throw new RangeError(`tuple key has ${codecs.length} parts`)
    const raw = (c.encode as (key: unknown) => Uint8Array)(value)
    return last || c.fixedLength !== undefined ? raw : escapeBytes(raw)
  }
  const fixed = codecs.every((c) => c.fixedLength !== undefined) ? codecs.reduce((n, c) => n + (c.fixedLength ?? 0), 0) : undefined
  return {
    ...(fixed === undefined ? {} : { fixedLength: fixed }),
    encode: (key) => concat(key.map((v, i) => encodePart(i, v, i === codecs.length - 1))),
    prefix: (...parts) => concat(parts.map((v, i) => encodePart(i, v, i === codecs.length - 1))),
    decode: (b) => {
      const out: Array<unknown> = []
      let at = 0
      codecs.forEach((c, i) => {
        if (i === codecs.length - 1) out.push(c.decode(b.subarray(at)))
        else if (c.fixedLength !== undefined) {
          out.push(c.decode(b.subarray(at, at + c.fixedLength)))
          at += c.fixedLength
        } else {
          const [part, next] = unescapeBytes(b, at)
          out.push(c.decode(part))
          at = next
        }
      })
      return out as unknown as KeysOf<C>
    },
  }
}

export const KeyCodec = { u64, u64Number, u32, bytes, fixedBytes, string, tuple } as const

/** The smallest key greater than every key starting with `prefix` (undefined: no upper bound). */
export const prefixEnd = (prefix: Uint8Array): Uint8Array | undefined => {
  for (let i = prefix.length - 1; i >= 0; i--) {
    const x = prefix[i] ?? 0xff
    if (x !== 0xff) {
      const out = prefix.slice(0, i + 1)
      out[i] = x + 1
      return out
    }
  }
  return undefined
}
