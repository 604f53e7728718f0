import { Data } from "effect"

/**
 * Typed failures of the canonical decoders. Every decoder returns one of these instead of throwing, so a
 * peer's malformed bytes can only ever produce a value the caller pattern-matches on.
 */

/** The input ended before `field` could be read. */
export class CanonicalTruncated extends Data.TaggedError("CanonicalTruncated")<{
  readonly field: string
  readonly offset: number
  readonly needed: number
  readonly available: number
}> {}

/** Bytes were left over after the message (or a nested message) was fully read. */
export class CanonicalTrailingBytes extends Data.TaggedError("CanonicalTrailingBytes")<{
  readonly message: string
  readonly remaining: number
}> {}

/** The u32 type prefix is not the one the decoder expects. */
export class CanonicalBadTypePrefix extends Data.TaggedError("CanonicalBadTypePrefix")<{
  readonly message: string
  readonly expected: number
  readonly actual: number
}> {}

/** A length or count prefix exceeds the limit the reference decoder enforces for that field. */
export class CanonicalLengthOverLimit extends Data.TaggedError("CanonicalLengthOverLimit")<{
  readonly field: string
  readonly length: number
  readonly limit: number
}> {}

/** A field has a length or count the message requires to be exact (e.g. 516-byte output, 4 state roots). */
export class CanonicalBadLength extends Data.TaggedError("CanonicalBadLength")<{
  readonly field: string
  readonly length: number
  readonly expected: ReadonlyArray<number>
}> {}

/** A field that must be present was encoded as absent (length 0). */
export class CanonicalMissingField extends Data.TaggedError("CanonicalMissingField")<{
  readonly field: string
}> {}

export type CanonicalDecodeError =
  | CanonicalTruncated
  | CanonicalTrailingBytes
  | CanonicalBadTypePrefix
  | CanonicalLengthOverLimit
  | CanonicalBadLength
  | CanonicalMissingField
