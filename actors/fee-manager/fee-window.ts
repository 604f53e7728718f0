// One filter's fee-vote window (consensus.md §6): the last 360 `(frameNumber, vote)` pairs of the
// chain's canonical frames, their running sum, and the multiplier the next frame pays. Pure, so the
// actor, the tests and a replay after restart all compute the same number from the same votes.
export const MAX_WINDOW = 360
export const DEFAULT_FEE_MULTIPLIER = 100n

export interface FeeVote {
  readonly frameNumber: bigint
  readonly vote: bigint
}

export class FeeWindow {
  private readonly votes: Array<FeeVote> = []
  private sum = 0n

  /** Appends a vote; refused (false) unless its frame is above every frame already counted. */
  add(frameNumber: bigint, vote: bigint): boolean {
    const last = this.votes[this.votes.length - 1]
    if (vote < 0n || (last !== undefined && frameNumber <= last.frameNumber)) return false
    this.votes.push({ frameNumber, vote })
    this.sum += vote
    if (this.votes.length > MAX_WINDOW) this.sum -= this.votes.shift()?.vote ?? 0n
    return true
  }

  /** Drops every vote above `frameNumber` (a fork replaced those frames); answers how many. */
  rewindTo(frameNumber: bigint): number {
    let removed = 0
    for (let last = this.votes[this.votes.length - 1]; last !== undefined && last.frameNumber > frameNumber; last = this.votes[this.votes.length - 1]) {
      this.votes.pop()
      this.sum -= last.vote
      removed++
    }
    return removed
  }

  /** `floor(sum / count)`, or the default 100 with no votes (`GetNextFeeMultiplier`). */
  multiplier(): bigint {
    return this.votes.length === 0 ? DEFAULT_FEE_MULTIPLIER : this.sum / BigInt(this.votes.length)
  }

  get size(): number {
    return this.votes.length
  }

  get lastFrame(): bigint | undefined {
    return this.votes[this.votes.length - 1]?.frameNumber
  }
}
