import { Either } from "effect"
import {
  CanonicalBadLength,
  CanonicalBadTypePrefix,
  type CanonicalDecodeError,
  CanonicalLengthOverLimit,
  CanonicalMissingField,
  CanonicalTrailingBytes,
  CanonicalTruncated,
} from "./decode-error.ts"

/**
 * Cursor over canonical bytes. Every read returns an Either, never throws, and never allocates more than
 * the bytes actually present: a length prefix is checked against its field limit and against the
 * remaining input before anything is copied.
 */
export class CanonicalReader {
  private offset = 0
  private readonly view: DataView

  constructor(
    private readonly input: Uint8Array,
    /** Message name used in errors. */
    readonly message: string,
  ) {
    this.view = new DataView(input.buffer, input.byteOffset, input.byteLength)
  }

  get remaining(): number {
    return this.input.length - this.offset
  }

  private take(field: string, needed: number): Either.Either<number, CanonicalTruncated> {
    const available = this.remaining
    if (needed > available) {
      return Either.left(new CanonicalTruncated({ field: `${this.message}.${field}`, offset: this.offset, needed, available }))
    }
    const start = this.offset
    this.offset += needed
    return Either.right(start)
  }

  u8(field: string): Either.Either<number, CanonicalDecodeError> {
    return Either.map(this.take(field, 1), (at) => this.view.getUint8(at))
  }

  u32(field: string): Either.Either<number, CanonicalDecodeError> {
    return Either.map(this.take(field, 4), (at) => this.view.getUint32(at, false))
  }

  u64(field: string): Either.Either<bigint, CanonicalDecodeError> {
    return Either.map(this.take(field, 8), (at) => this.view.getBigUint64(at, false))
  }

  i64(field: string): Either.Either<bigint, CanonicalDecodeError> {
    return Either.map(this.take(field, 8), (at) => this.view.getBigInt64(at, false))
  }

  /** Reads and checks the u32 type prefix. */
  typePrefix(expected: number): Either.Either<void, CanonicalDecodeError> {
    return Either.flatMap(this.u32("type"), (actual) =>
      actual === expected ? Either.void : Either.left(new CanonicalBadTypePrefix({ message: this.message, expected, actual })),
    )
  }

  /** `n` raw bytes (copied). */
  raw(field: string, n: number): Either.Either<Uint8Array, CanonicalDecodeError> {
    return Either.map(this.take(field, n), (at) => this.input.slice(at, at + n))
  }

  /** A u32 length prefix, checked against `limit`. */
  length(field: string, limit: number): Either.Either<number, CanonicalDecodeError> {
    return Either.flatMap(this.u32(`${field}.length`), (length) =>
      length > limit ? Either.left(new CanonicalLengthOverLimit({ field: `${this.message}.${field}`, length, limit })) : Either.right(length),
    )
  }

  /** `u32 length ‖ bytes` with length ≤ limit. */
  bytes(field: string, limit: number): Either.Either<Uint8Array, CanonicalDecodeError> {
    return Either.flatMap(this.length(field, limit), (length) => this.raw(field, length))
  }

  /** `u32 length ‖ bytes` whose length must be one of `allowed`. */
  exactBytes(field: string, allowed: ReadonlyArray<number>): Either.Either<Uint8Array, CanonicalDecodeError> {
    const limit = Math.max(...allowed)
    return Either.flatMap(this.length(field, limit), (length) =>
      allowed.includes(length)
        ? this.raw(field, length)
        : Either.left(new CanonicalBadLength({ field: `${this.message}.${field}`, length, expected: allowed })),
    )
  }

  /**
   * A u32 count of repeated items, checked against `limit` and against the remaining input (each item
   * needs at least `minItemBytes`), so a huge count cannot make the caller loop or allocate.
   */
  count(field: string, limit: number, minItemBytes: number): Either.Either<number, CanonicalDecodeError> {
    return Either.flatMap(this.u32(`${field}.count`), (count): Either.Either<number, CanonicalDecodeError> => {
      if (count > limit) {
        return Either.left(new CanonicalLengthOverLimit({ field: `${this.message}.${field}`, length: count, limit }))
      }
      const needed = count * minItemBytes
      if (needed > this.remaining) {
        return Either.left(
          new CanonicalTruncated({
            field: `${this.message}.${field}`,
            offset: this.offset,
            needed,
            available: this.remaining,
          }),
        )
      }
      return Either.right(count)
    })
  }

  /** A u32 count that must equal `expected`. */
  exactCount(field: string, expected: number, minItemBytes: number): Either.Either<number, CanonicalDecodeError> {
    return Either.flatMap(this.count(field, expected, minItemBytes), (count) =>
      count === expected
        ? Either.right(count)
        : Either.left(new CanonicalBadLength({ field: `${this.message}.${field}`, length: count, expected: [expected] })),
    )
  }

  /** A nested message: `u32 length ‖ bytes`, `undefined` when the length is 0. */
  optionalNested(field: string, limit: number): Either.Either<Uint8Array | undefined, CanonicalDecodeError> {
    return Either.flatMap(this.length(field, limit), (length) => (length === 0 ? Either.right(undefined) : this.raw(field, length)))
  }

  /** A nested message that must be present. */
  requiredNested(field: string, limit: number): Either.Either<Uint8Array, CanonicalDecodeError> {
    return Either.flatMap(this.optionalNested(field, limit), (bytes) =>
      bytes === undefined ? Either.left(new CanonicalMissingField({ field: `${this.message}.${field}` })) : Either.right(bytes),
    )
  }

  /** Succeeds only if every input byte was consumed. */
  end(): Either.Either<void, CanonicalDecodeError> {
    return this.remaining === 0 ? Either.void : Either.left(new CanonicalTrailingBytes({ message: this.message, remaining: this.remaining }))
  }
}

/** Decodes a whole buffer with `body`, then requires the input to be fully consumed. */
export const decodeWhole = <A>(
  input: Uint8Array,
  message: string,
  body: (reader: CanonicalReader) => Either.Either<A, CanonicalDecodeError>,
): Either.Either<A, CanonicalDecodeError> => {
  const reader = new CanonicalReader(input, message)
  return Either.flatMap(body(reader), (value) => Either.map(reader.end(), () => value))
}
