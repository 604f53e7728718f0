// The bundle fee queue (spec §6.3): fee-producing requests add their fees in bundle order (zero
// fees are skipped: on the wire a zero fee is empty bytes and is not queued, §11.3 #43); every
// consumer pops the next one, whatever intrinsic it belongs to, so fees stay aligned. Fewer fees
// than consumers fails the bundle before anything runs (the sanity check).
import { BundleFailure, pluginThrew } from "./failure.ts"
import type { ResolvedRequest } from "./resolver.ts"

export interface FeeQueue {
  /** The next fee (a consumer's `feePaid`); the sanity check guarantees there is one. Call it as a method. */
  pop(): bigint
}

// Plugin code on the hot path: plain try/catch, no closure or Either per call; a failure is
// returned as the BundleFailure itself (the caller tests `instanceof`), not wrapped.
const threw = (index: number, what: string, e: unknown): BundleFailure => pluginThrew(index, what, e)

// A class rather than a closure per bundle: `pop` lives on the prototype.
class FeeQueueOf implements FeeQueue {
  #next = 0
  constructor(private readonly fees: ReadonlyArray<bigint>) {}
  pop(): bigint {
    return this.fees[this.#next++] ?? 0n
  }
}

export const makeFeeQueue = (requests: ReadonlyArray<ResolvedRequest>): FeeQueue | BundleFailure => {
  const fees: Array<bigint> = []
  let consumers = 0
  for (const r of requests) {
    if (r.feeRole === "consumer") consumers++
    if (!r.producesFees) continue
    let produced: ReadonlyArray<bigint>
    try {
      produced = r.op.producedFees()
    } catch (e) {
      return threw(r.index, "producedFees", e)
    }
    for (const fee of produced) {
      if (typeof fee !== "bigint" || fee < 0n) return new BundleFailure({ reason: "garbage", request: r.index, detail: "producedFees returned a non-fee" })
      if (fee > 0n) fees.push(fee)
    }
  }
  if (fees.length < consumers) {
    return new BundleFailure({ reason: "insufficient-fee", request: undefined, detail: `${fees.length} fees for ${consumers} consumers` })
  }
  return new FeeQueueOf(fees)
}

/** The cost of each request, in bundle order; their sum is the bundle's cost basis (§6.2). */
export const requestCosts = (requests: ReadonlyArray<ResolvedRequest>): Array<bigint> | BundleFailure => {
  const costs: Array<bigint> = []
  for (const r of requests) {
    let cost: bigint
    try {
      cost = r.op.cost()
    } catch (e) {
      return threw(r.index, "cost", e)
    }
    if (typeof cost !== "bigint" || cost < 0n) return new BundleFailure({ reason: "garbage", request: r.index, detail: "cost is not a non-negative bigint" })
    costs.push(cost)
  }
  return costs
}
