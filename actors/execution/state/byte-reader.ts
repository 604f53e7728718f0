// A bounds-checked big-endian reader: every read past the end, and every declared length above
// 1 GiB or beyond the remaining input, is a TrieDecodeError, never an exception or a huge allocation.
import { Either } from "effect"
import { TrieDecodeError } from "./errors.ts"

/** Declared lengths above this are rejected (as the reference's reader). */
const MAX_DECLARED_LENGTH = 1024 * 1024 * 1024

export class ByteReader {
  private offset = 0
  private readonly view: DataView

  constructor(
    private readonly bytes: Uint8Array,
    private readonly what: string,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  }

  fail(reason: string): TrieDecodeError {
    return new TrieDecodeError({ what: this.what, offset: this.offset, reason })
  }

  get remaining(): number {
    return this.bytes.length - this.offset
  }

  private need(n: number): Either.Either<number, TrieDecodeError> {
    if (n > this.remaining) return Either.left(this.fail(`needs ${n} bytes, ${this.remaining} left`))
    const at = this.offset
    this.offset += n
    return Either.right(at)
  }

  u8(): Either.Either<number, TrieDecodeError> {
    return Either.map(this.need(1), (at) => this.view.getUint8(at))
  }
  u32(): Either.Either<number, TrieDecodeError> {
    return Either.map(this.need(4), (at) => this.view.getUint32(at))
  }
  i32(): Either.Either<number, TrieDecodeError> {
    return Either.map(this.need(4), (at) => this.view.getInt32(at))
  }
  u64(): Either.Either<bigint, TrieDecodeError> {
    return Either.map(this.need(8), (at) => this.view.getBigUint64(at))
  }
  i64(): Either.Either<bigint, TrieDecodeError> {
    return Either.map(this.need(8), (at) => this.view.getBigInt64(at))
  }

  /** `n` raw bytes (a copy, so decoded values never alias the input). */
  take(n: number): Either.Either<Uint8Array, TrieDecodeError> {
    return Either.map(this.need(n), (at) => this.bytes.slice(at, at + n))
  }

  /** A declared count or length, checked against the 1 GiB cap and the remaining input at `unit` bytes each. */
  length(declared: bigint | number, unit: number): Either.Either<number, TrieDecodeError> {
    const n = BigInt(declared)
    if (n > BigInt(MAX_DECLARED_LENGTH)) return Either.left(this.fail(`declared length ${n} exceeds 1 GiB`))
    if (n * BigInt(unit) > BigInt(this.remaining)) return Either.left(this.fail(`declared length ${n} exceeds the remaining ${this.remaining} bytes`))
    return Either.right(Number(n))
  }

  /** End of input expected. */
  end(): Either.Either<void, TrieDecodeError> {
    return this.remaining === 0 ? Either.void : Either.left(this.fail(`${this.remaining} trailing bytes`))
  }
}
