// Votes → QC bookkeeping (consensus.md §3.7): votes are gossiped, every replica collects them per
// (rank, selector), detects conflicting votes, and reports when a selector's signers reach the quorum.
// Gossiped votes are collected before their signature is checked (D-GC-14): the caller verifies the
// aggregate once a quorum is reached and only falls back to single checks when that fails, so every
// vote remembers whether it was verified on its own and which peer sent it. Signatures are aggregated
// by the caller, in committee-index order (the bitmask order).

export interface CollectedVote {
  readonly index: number
  readonly signature: Uint8Array
  /** Checked on its own (our own vote, a proposal's vote, or a fallback / conflict check). */
  readonly verified: boolean
  /** Transport sender, penalized if the signature turns out bad. */
  readonly from: string
}

export type VoteAddResult =
  | { readonly _tag: "Added"; readonly votes: ReadonlyArray<CollectedVote> }
  | { readonly _tag: "Duplicate" }
  /**
   * The voter already has a vote at this rank for another selector, or another signature for the same
   * one: at least one of the two is an equivocation or a forgery, which only single checks can tell.
   */
  | { readonly _tag: "Conflict"; readonly existing: CollectedVote; readonly existingSelector: string }
  | { readonly _tag: "AlreadyCertified" }

interface VoterEntry {
  readonly selector: string
  vote: CollectedVote
}

const sameBytes = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && a.every((x, i) => x === b[i])

export class VoteCollector {
  /** rank → voter index → the vote it cast. */
  private readonly voters = new Map<bigint, Map<number, VoterEntry>>()
  /** `${rank}:${selector}` → votes. */
  private readonly votes = new Map<string, Array<CollectedVote>>()
  private readonly certified = new Set<string>()

  add(rank: bigint, selector: string, vote: CollectedVote): VoteAddResult {
    const byVoter = this.voters.get(rank) ?? new Map<number, VoterEntry>()
    this.voters.set(rank, byVoter)
    const previous = byVoter.get(vote.index)
    if (previous !== undefined) {
      if (previous.selector !== selector || !sameBytes(previous.vote.signature, vote.signature)) {
        return { _tag: "Conflict", existing: previous.vote, existingSelector: previous.selector }
      }
      if (vote.verified && !previous.vote.verified) this.markVerified(rank, selector, [vote.index])
      return { _tag: "Duplicate" }
    }
    byVoter.set(vote.index, { selector, vote })
    const key = `${rank}:${selector}`
    if (this.certified.has(key)) return { _tag: "AlreadyCertified" }
    const list = this.votes.get(key) ?? []
    list.push(vote)
    this.votes.set(key, list)
    return { _tag: "Added", votes: this.current(rank, selector) }
  }

  /** The uncertified votes for a selector, in index order. */
  current(rank: bigint, selector: string): ReadonlyArray<CollectedVote> {
    return [...(this.votes.get(`${rank}:${selector}`) ?? [])].sort((a, b) => a.index - b.index)
  }

  /** Records that these voters' signatures were checked on their own. */
  markVerified(rank: bigint, selector: string, indices: ReadonlyArray<number>): void {
    const byVoter = this.voters.get(rank)
    for (const index of indices) {
      const entry = byVoter?.get(index)
      if (entry !== undefined && entry.selector === selector) entry.vote = { ...entry.vote, verified: true }
    }
    const list = this.votes.get(`${rank}:${selector}`)
    if (list !== undefined)
      this.votes.set(
        `${rank}:${selector}`,
        list.map((v) => (indices.includes(v.index) ? { ...v, verified: true } : v)),
      )
  }

  /** Forgets a vote whose signature failed, so the voter's genuine vote can still be counted. */
  remove(rank: bigint, selector: string, index: number): void {
    const byVoter = this.voters.get(rank)
    if (byVoter?.get(index)?.selector === selector) byVoter.delete(index)
    const key = `${rank}:${selector}`
    const list = this.votes.get(key)
    if (list !== undefined)
      this.votes.set(
        key,
        list.filter((v) => v.index !== index),
      )
  }

  markCertified(rank: bigint, selector: string): void {
    this.certified.add(`${rank}:${selector}`)
    this.votes.delete(`${rank}:${selector}`)
  }

  /** Voter indices of the selector with the most votes at `rank` (diagnostics: how close it came). */
  bestSupport(rank: bigint): ReadonlyArray<number> {
    const bySelector = new Map<string, Array<number>>()
    for (const [index, entry] of this.voters.get(rank) ?? []) {
      const list = bySelector.get(entry.selector) ?? []
      list.push(index)
      bySelector.set(entry.selector, list)
    }
    let best: ReadonlyArray<number> = []
    for (const list of bySelector.values()) if (list.length > best.length) best = list
    return best
  }

  /** Forget everything below `rank` (the aggregator's lowest retained rank). */
  prune(rank: bigint): void {
    for (const r of [...this.voters.keys()]) if (r < rank) this.voters.delete(r)
    for (const key of [...this.votes.keys()]) if (BigInt(key.slice(0, key.indexOf(":"))) < rank) this.votes.delete(key)
    for (const key of [...this.certified]) if (BigInt(key.slice(0, key.indexOf(":"))) < rank) this.certified.delete(key)
  }
}
