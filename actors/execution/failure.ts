// Why a bundle failed (spec §11.2 per-bundle atomicity): one closed set of reasons, used as the
// metric label, in the ApplyFrame reply, and by SelectForProposal. A failure drops only its
// bundle; the frame continues.
import * as Data from "effect/Data"
import * as Schema from "effect/Schema"
import { BudgetExceeded } from "./loop-meter.ts"

export const FailureReason = Schema.Literal(
  /** The bundle or one request is not canonical bytes (§0 encodings). */
  "malformed",
  /** No loaded intrinsic owns a request's op type. */
  "unknown-op-type",
  /** The routed domain resolves to no intrinsic (§1.6 step 3). */
  "unknown-domain",
  /** An activation gate is closed at this frame (§1.6 step 2, manifest `activation`). */
  "inactive",
  /** A request of another intrinsic that cannot be routed from this bundle's domain. */
  "foreign-request",
  /** Fewer fees than consumers, or `feePaid < cost × multiplier` (§6.3, §11.3 #37). */
  "insufficient-fee",
  /** validate or apply refused the operation (OpError, or a refused write). */
  "rejected",
  /** A write outside the declared access set (test builds, §11.1). */
  "access-violation",
  /** The intrinsic's code threw (a defect). */
  "threw",
  /** The intrinsic read the clock or randomness while validate/apply ran (determinism.ts). */
  "nondeterministic",
  /** The operation exceeded the per-operation budget. */
  "timeout",
  /** The intrinsic failed with something that is not an OpError or a view error. */
  "garbage",
  /** The bundle names no domain, or two, or writes under two shards (routing.ts). */
  "unroutable",
  /** The bundle was decided in an earlier frame, or earlier in the same frame: not applied again (D-EXEC-29). */
  "duplicate",
)
export type FailureReason = typeof FailureReason.Type

/** A bundle's failure: the reason, the request it happened at (when one), and a readable detail. */
export class BundleFailure extends Data.TaggedError("BundleFailure")<{
  readonly reason: FailureReason
  readonly request: number | undefined
  readonly detail: string
  /** The intrinsic whose operation failed, when the failure is one operation's (per-intrinsic metrics). */
  readonly intrinsic?: string
}> {
  override get message(): string {
    return `${this.reason}${this.request === undefined ? "" : ` at request ${this.request}`}: ${this.detail}`
  }
}

/** The failure of plugin code that threw `e` in `what`: `timeout` when the loop meter stopped it (loop-meter.ts). */
export const pluginThrew = (index: number, what: string, e: unknown, intrinsic?: string): BundleFailure =>
  new BundleFailure({
    reason: e instanceof BudgetExceeded ? "timeout" : "threw",
    request: index,
    detail: `${what} threw: ${e instanceof Error ? e.message : String(e)}`,
    ...(intrinsic === undefined ? {} : { intrinsic }),
  })
