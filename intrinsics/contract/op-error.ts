// The one failure type of an operation: decode, validate and apply all fail with OpError, so the
// host can drop a bundle with one handler and report why. `kind` says which rule was broken.
import * as Data from "effect/Data"

export type OpErrorKind =
  /** The bytes are not a well-formed operation (decode; spec §11.1 "decode is total"). */
  | "malformed"
  /** Well-formed but breaks a structural or cryptographic rule (validate). */
  | "invalid"
  /** A state check failed: spent, missing, removed, already exists (validate or apply). */
  | "state"
  /** `feePaid < cost × multiplier` (spec §6.3, §11.3 #37). */
  | "insufficient-fee"
  /** The operation is not active at this frame (manifest activation gate). */
  | "inactive"

export class OpError extends Data.TaggedError("OpError")<{
  readonly kind: OpErrorKind
  /** The canonical u32 type prefix, when known. */
  readonly opType: number | undefined
  readonly reason: string
}> {
  override get message(): string {
    const type = this.opType === undefined ? "operation" : `operation 0x${this.opType.toString(16).padStart(4, "0")}`
    return `${type}: ${this.kind}: ${this.reason}`
  }
}

export const malformed = (opType: number | undefined, reason: string): OpError => new OpError({ kind: "malformed", opType, reason })
