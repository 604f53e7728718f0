// Votes → QC bookkeeping (consensus.md §3.7): votes are gossiped, every replica collects them per
// (rank, selector), detects double votes, and reports when a selector's signers reach the quorum.
// Signatures are aggregated by the caller, in committee-index order (the bitmask order).

export interface CollectedVote {
  readonly index: number
  readonly signature: Uint8Array
}

export type VoteAddResult =
  | { readonly _tag: "Added"; readonly votes: ReadonlyArray<CollectedVote> }
  | { readonly _tag: "Duplicate" }
  | { readonly _tag: "DoubleVote"; readonly firstSelector: string }
  | { readonly _tag: "AlreadyCertified" }

export class VoteCollector {
  /** rank → voter index → selector voted for. */
  private readonly voters = new Map<bigint, Map<number, string>>()
  /** `${rank}:${selector}` → votes. */
  private readonly votes = new Map<string, Array<CollectedVote>>()
  private readonly certified = new Set<string>()

  add(rank: bigint, selector: string, vote: CollectedVote): VoteAddResult {
    const byVoter = this.voters.get(rank) ?? new Map<number, string>()
    this.voters.set(rank, byVoter)
    const previous = byVoter.get(vote.index)
    if (previous !== undefined) return previous === selector ? { _tag: "Duplicate" } : { _tag: "DoubleVote", firstSelector: previous }
    byVoter.set(vote.index, selector)
    const key = `${rank}:${selector}`
    if (this.certified.has(key)) return { _tag: "AlreadyCertified" }
    const list = this.votes.get(key) ?? []
    list.push(vote)
    this.votes.set(key, list)
    return { _tag: "Added", votes: [...list].sort((a, b) => a.index - b.index) }
  }

  markCertified(rank: bigint, selector: string): void {
    this.certified.add(`${rank}:${selector}`)
    this.votes.delete(`${rank}:${selector}`)
  }

  /** Forget everything below `rank` (the aggregator's lowest retained rank). */
  prune(rank: bigint): void {
    for (const r of [...this.voters.keys()]) if (r < rank) this.voters.delete(r)
    for (const key of [...this.votes.keys()]) if (BigInt(key.slice(0, key.indexOf(":"))) < rank) this.votes.delete(key)
    for (const key of [...this.certified]) if (BigInt(key.slice(0, key.indexOf(":"))) < rank) this.certified.delete(key)
  }
}
