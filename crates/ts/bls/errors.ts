// Typed failures of the BLS48-581 / KZG bindings (crates/quilcrypto/src/bls.rs status codes).
import { Data } from "effect"

/** A buffer, list, poly size or index has the wrong size or range. */
export class BlsLengthError extends Data.TaggedError("BlsLengthError")<{ readonly reason: string }> {}

/** Bytes that are not a compressed point on the curve (bad flag byte, x >= p, no y for x). */
export class BlsEncodingError extends Data.TaggedError("BlsEncodingError")<{ readonly reason: string }> {}

/** A point on the curve that is the identity or outside the prime-order subgroup, or a zero key. */
export class BlsSubgroupError extends Data.TaggedError("BlsSubgroupError")<{ readonly reason: string }> {}

/** The native library is missing or failed in an unexpected way. */
export class BlsNativeError extends Data.TaggedError("BlsNativeError")<{ readonly reason: string }> {
  // The reason is the operator's one line (e.g. which library path is missing and how to build it).
  override get message(): string {
    return `BLS48-581: ${this.reason}`
  }
}

export type BlsError = BlsLengthError | BlsEncodingError | BlsSubgroupError | BlsNativeError
