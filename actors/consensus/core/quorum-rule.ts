// Who counts how much toward a QC or TC. With seniority (mainnet) the reference rule holds: weight =
// seniority, quorum when the signers' weight ≥ ⌊2Σ/3⌋ (⌊4Σ/6⌋ for global, D-RING-1/2). On networks where
// every seniority is 0 the reference threshold is 0 and one vote certifies anything, so quilbun falls
// back to one vote per prover and a strict two-thirds quorum ⌊2n/3⌋ + 1 (DECISIONS.md D-GC-1).
import { type ActiveProver, quorumThreshold, totalSeniority } from "./prover-ring.ts"

export interface QuorumRule {
  readonly mode: "seniority" | "equal-weight"
  readonly committeeSize: number
  readonly weightOf: (index: number) => bigint
  /** Weight a QC/TC needs (≥). */
  readonly threshold: bigint
  /**
   * Weight of timeouts after which a replica still in that rank times out too (Bracha fast-join,
   * §3.5): enough that at least one honest replica timed out.
   */
  readonly partialThreshold: bigint
  readonly total: bigint
}

/** The rule for a chain's committee: `filter` empty = the global chain (⌊4Σ/6⌋), else an app shard (⌊2Σ/3⌋). */
export const quorumRuleFor = (committee: ReadonlyArray<ActiveProver>, filter: Uint8Array): QuorumRule => {
  const n = committee.length
  const seniorityTotal = totalSeniority(committee)
  if (seniorityTotal === 0n) {
    const threshold = BigInt(Math.floor((2 * n) / 3) + 1)
    const total = BigInt(n)
    return { mode: "equal-weight", committeeSize: n, weightOf: () => 1n, threshold, partialThreshold: total - threshold + 1n, total }
  }
  const threshold = quorumThreshold(filter, committee)
  return {
    mode: "seniority",
    committeeSize: n,
    weightOf: (i) => committee[i]?.seniority ?? 0n,
    threshold,
    partialThreshold: seniorityTotal - threshold + 1n,
    total: seniorityTotal,
  }
}

/** Summed weight of the given committee indices. */
export const weightOfSigners = (rule: QuorumRule, indices: Iterable<number>): bigint => {
  let w = 0n
  for (const i of indices) w += rule.weightOf(i)
  return w
}

export const isQuorum = (rule: QuorumRule, indices: ReadonlyArray<number>): boolean => indices.length > 0 && weightOfSigners(rule, indices) >= rule.threshold
