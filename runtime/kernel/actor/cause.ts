// One-line descriptions of failure causes, for logs and the snapshot's `lastFailure`.
import { Cause } from "effect"

/** First line of the pretty-printed cause (e.g. "Error: boom"). */
export const describeCause = (cause: Cause.Cause<unknown>): string => (Cause.pretty(cause).split("\n")[0] ?? "unknown").trim()
