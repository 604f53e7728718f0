// Timeouts → TC bookkeeping (consensus.md §3.8): one processor per rank collects each signer's timeout
// signature with the newest-QC rank it signed, tracks the newest QC among them, and reports the partial
// (fast-join) and full thresholds once each.
import type { QuorumCertificate } from "./messages/quorum-certificate.ts"
import type { TimeoutCertificate } from "./messages/timeout-certificate.ts"

export interface CollectedTimeout {
  readonly index: number
  readonly signature: Uint8Array
  readonly newestQcRank: bigint
}

interface RankTimeouts {
  readonly byIndex: Map<number, CollectedTimeout>
  newestQc: QuorumCertificate
  priorTc: TimeoutCertificate | undefined
  partialFired: boolean
  built: boolean
}

export type TimeoutAddResult =
  | { readonly _tag: "Duplicate" }
  | { readonly _tag: "Added"; readonly timeouts: ReadonlyArray<CollectedTimeout>; readonly newestQc: QuorumCertificate; readonly rankState: RankTimeoutsView }

interface RankTimeoutsView {
  readonly partialFired: boolean
  readonly built: boolean
  readonly priorTc: TimeoutCertificate | undefined
}

export class TimeoutCollector {
  private readonly ranks = new Map<bigint, RankTimeouts>()

  add(rank: bigint, timeout: CollectedTimeout, qc: QuorumCertificate, priorTc: TimeoutCertificate | undefined): TimeoutAddResult {
    let r = this.ranks.get(rank)
    if (r === undefined) {
      r = { byIndex: new Map(), newestQc: qc, priorTc, partialFired: false, built: false }
      this.ranks.set(rank, r)
    }
    if (r.byIndex.has(timeout.index)) return { _tag: "Duplicate" }
    r.byIndex.set(timeout.index, timeout)
    if (qc.rank > r.newestQc.rank) r.newestQc = qc
    if (r.priorTc === undefined && priorTc !== undefined) r.priorTc = priorTc
    const timeouts = [...r.byIndex.values()].sort((a, b) => a.index - b.index)
    return { _tag: "Added", timeouts, newestQc: r.newestQc, rankState: r }
  }

  /**
   * Whether exactly this timeout (signer, signature, newest-QC rank) was already collected: its
   * signature verified then, so a re-broadcast of it needs no second check.
   */
  has(rank: bigint, timeout: CollectedTimeout): boolean {
    const known = this.ranks.get(rank)?.byIndex.get(timeout.index)
    if (known === undefined || known.newestQcRank !== timeout.newestQcRank || known.signature.length !== timeout.signature.length) return false
    return known.signature.every((b, i) => b === timeout.signature[i])
  }

  /** Committee indices whose timeouts for `rank` were collected. */
  signers(rank: bigint): ReadonlyArray<number> {
    return [...(this.ranks.get(rank)?.byIndex.keys() ?? [])]
  }

  markPartial(rank: bigint): void {
    const r = this.ranks.get(rank)
    if (r !== undefined) r.partialFired = true
  }

  markBuilt(rank: bigint): void {
    const r = this.ranks.get(rank)
    if (r !== undefined) r.built = true
  }

  prune(rank: bigint): void {
    for (const r of [...this.ranks.keys()]) if (r < rank) this.ranks.delete(r)
  }
}
