// Typed failures of the VDF API (shared by the native and the TypeScript implementations).
import { Data } from "effect"

/** An argument has the wrong length or range (challenge, iterations, output blob, ids, index). */
export class VdfInputError extends Data.TaggedError("VdfInputError")<{ readonly reason: string }> {}

/** An output's y or π is not a canonical reduced form of the challenge's discriminant. */
export class VdfMalformedOutputError extends Data.TaggedError("VdfMalformedOutputError")<{ readonly reason: string }> {}

/** The solve was abandoned (its fiber was interrupted or it was superseded). */
export class VdfCancelledError extends Data.TaggedError("VdfCancelledError")<{ readonly solveId: number }> {}

/** The native library or the solver Worker failed unexpectedly. */
export class VdfInternalError extends Data.TaggedError("VdfInternalError")<{ readonly reason: string }> {}
