// Maps quilcrypto status codes to the typed BLS errors.
import { Effect } from "effect"
import { Status } from "../status.ts"
import { BlsEncodingError, BlsLengthError, BlsNativeError, BlsSubgroupError, type BlsError } from "./errors.ts"

/** The error for a non-Ok, non-Invalid status, with `what` naming the call. */
const errorOf = (status: number, what: string): BlsError => {
  switch (status) {
    case Status.Length:
      return new BlsLengthError({ reason: `${what}: wrong length, list size, poly size or index` })
    case Status.Encoding:
      return new BlsEncodingError({ reason: `${what}: not a compressed curve point` })
    case Status.Subgroup:
      return new BlsSubgroupError({ reason: `${what}: point is the identity or outside the r-subgroup (or zero key)` })
    default:
      return new BlsNativeError({ reason: `${what}: native status ${status}` })
  }
}

/** Ok -> true, Invalid -> false, anything else -> typed failure. */
export const verdict = (status: number, what: string): Effect.Effect<boolean, BlsError> =>
  status === Status.Ok ? Effect.succeed(true) : status === Status.Invalid ? Effect.succeed(false) : Effect.fail(errorOf(status, what))

/** Ok -> the output buffer, anything else -> typed failure. */
export const produced = <A>(status: number, what: string, value: () => A): Effect.Effect<A, BlsError> =>
  status === Status.Ok ? Effect.sync(value) : Effect.fail(errorOf(status, what))
