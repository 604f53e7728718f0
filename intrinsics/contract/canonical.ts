// Canonical byte codecs (spec §11.1 "operation schemas"; consensus.md §0): a u32 BE type prefix,
// fixed field order, u32 BE length-prefixed byte strings and u32 BE counts. The reader is total:
// every read is bounds-checked and answers Either, so a truncated or hostile buffer yields a
// typed OpError, never a throw, and no length field can make it allocate more than it was given.
import * as Either from "effect/Either"
import { malformed, type OpError } from "./op-error.ts"

/** Upper bound for one length-prefixed field unless a codec passes a tighter one. */
export const MAX_FIELD_BYTES = 1 << 20
/** Upper bound for one count (list length) unless a codec passes a tighter one. */
export const MAX_COUNT = 1 << 16

const U64_MAX = (1n << 64n) - 1n

export class CanonicalWriter {
  readonly #chunks: Array<Uint8Array> = []
  #length = 0

  #push(chunk: Uint8Array): this {
    this.#chunks.push(chunk)
    this.#length += chunk.length
    return this
  }

  u8(n: number): this {
    if (!Number.isInteger(n) || n < 0 || n > 0xff) throw new RangeError(`u8 out of range: ${n}`)
    return this.#push(Uint8Array.of(n))
  }

  u32(n: number): this {
    if (!Number.isInteger(n) || n < 0 || n > 0xffff_ffff) throw new RangeError(`u32 out of range: ${n}`)
    // Byte arithmetic, not a DataView: reading `.buffer` of a small typed array makes the engine
    // materialise an ArrayBuffer, which dominated the execution benchmark.
    return this.#push(Uint8Array.of(n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff))
  }

  u64(n: bigint): this {
    if (n < 0n || n > U64_MAX) throw new RangeError(`u64 out of range: ${n}`)
    const b = new Uint8Array(8)
    new DataView(b.buffer).setBigUint64(0, n)
    return this.#push(b)
  }

  /** Bytes written as they are (fixed-width fields such as 32-byte domains). */
  fixed(bytes: Uint8Array): this {
    return this.#push(bytes.slice())
  }

  /** `u32 len ‖ bytes`. */
  bytes(bytes: Uint8Array): this {
    return this.u32(bytes.length).fixed(bytes)
  }

  finish(): Uint8Array {
    const out = new Uint8Array(this.#length)
    let at = 0
    for (const c of this.#chunks) {
      out.set(c, at)
      at += c.length
    }
    return out
  }
}

export class CanonicalReader {
  #at = 0

  /** `opType` labels errors; it is the operation being decoded (undefined before the prefix is read). */
  constructor(
    private readonly input: Uint8Array,
    private readonly opType: number | undefined = undefined,
  ) {}

  get remaining(): number {
    return this.input.length - this.#at
  }

  #take(field: string, n: number): Either.Either<Uint8Array, OpError> {
    if (n > this.remaining) return Either.left(malformed(this.opType, `${field}: needs ${n} bytes, ${this.remaining} left`))
    const out = this.input.slice(this.#at, this.#at + n)
    this.#at += n
    return Either.right(out)
  }

  u8(field: string): Either.Either<number, OpError> {
    return Either.map(this.#take(field, 1), (b) => b[0] ?? 0)
  }

  u32(field: string): Either.Either<number, OpError> {
    if (this.remaining < 4) return Either.left(malformed(this.opType, `${field}: needs 4 bytes, ${this.remaining} left`))
    const i = this.input
    const at = this.#at
    this.#at += 4
    // No slice or DataView on the hot path (see CanonicalWriter.u32).
    return Either.right((i[at] ?? 0) * 0x1000000 + ((i[at + 1] ?? 0) << 16) + ((i[at + 2] ?? 0) << 8) + (i[at + 3] ?? 0))
  }

  u64(field: string): Either.Either<bigint, OpError> {
    return Either.map(this.#take(field, 8), (b) => new DataView(b.buffer, b.byteOffset, 8).getBigUint64(0))
  }

  fixed(field: string, length: number): Either.Either<Uint8Array, OpError> {
    return this.#take(field, length)
  }

  /** `u32 len ‖ bytes` with `len ≤ max` (checked before anything is copied). */
  bytes(field: string, max: number = MAX_FIELD_BYTES): Either.Either<Uint8Array, OpError> {
    return Either.flatMap(this.u32(`${field} length`), (n) =>
      n > max ? Either.left(malformed(this.opType, `${field}: length ${n} exceeds ${max}`)) : this.#take(field, n),
    )
  }

  /** A u32 count with `count ≤ max`; each element must still fit in what is left (the caller reads them). */
  count(field: string, max: number = MAX_COUNT): Either.Either<number, OpError> {
    return Either.flatMap(this.u32(`${field} count`), (n) =>
      n > max ? Either.left(malformed(this.opType, `${field}: count ${n} exceeds ${max}`)) : Either.right(n),
    )
  }

  /** Reads `count` elements with `element`, stopping at the first failure. */
  list<A>(
    field: string,
    element: (reader: CanonicalReader, index: number) => Either.Either<A, OpError>,
    max: number = MAX_COUNT,
  ): Either.Either<Array<A>, OpError> {
    return Either.flatMap(this.count(field, max), (n) => {
      const out: Array<A> = []
      for (let i = 0; i < n; i++) {
        const next = element(this, i)
        if (Either.isLeft(next)) return Either.left(next.left)
        out.push(next.right)
      }
      return Either.right(out)
    })
  }

  /** Fails on trailing bytes: canonical encodings have exactly one form. */
  end(): Either.Either<void, OpError> {
    return this.remaining === 0 ? Either.void : Either.left(malformed(this.opType, `${this.remaining} trailing bytes`))
  }
}

/** The u32 type prefix of canonical bytes, or a malformed error when there are fewer than 4 bytes. */
export const readTypePrefix = (bytes: Uint8Array): Either.Either<number, OpError> => new CanonicalReader(bytes).u32("type prefix")

/**
 * Decodes a whole operation: checks the u32 type prefix equals `opType`, runs `body` on the rest,
 * and refuses trailing bytes. A throw inside `body` (a codec bug) still becomes a malformed error,
 * so decoding stays total even for a careless codec.
 */
export const decodeCanonical = <A>(
  opType: number,
  bytes: Uint8Array,
  body: (reader: CanonicalReader) => Either.Either<A, OpError>,
): Either.Either<A, OpError> => {
  const reader = new CanonicalReader(bytes, opType)
  try {
    return Either.gen(function* () {
      const prefix = yield* reader.u32("type prefix")
      if (prefix !== opType) return yield* Either.left(malformed(opType, `type prefix 0x${prefix.toString(16)} is not 0x${opType.toString(16)}`))
      const value = yield* body(reader)
      yield* reader.end()
      return value
    })
  } catch (e) {
    return Either.left(malformed(opType, `decoder threw: ${e instanceof Error ? e.message : String(e)}`))
  }
}

/** Starts canonical bytes for `opType` (the u32 prefix is written). */
export const canonicalWriter = (opType: number): CanonicalWriter => new CanonicalWriter().u32(opType)
