// Proposals whose parent is not known yet (§4.3 2.3), by parent selector: kept until the parent
// arrives (gossip or sync), at most a few per parent, and dropped once committed past.

const MAX_PER_PARENT = 16

export interface Orphan<P> {
  readonly proposal: P
  readonly from: string
}

export class OrphanProposals<P> {
  private readonly byParent = new Map<string, Array<Orphan<P>>>()

  /** `selectorOf(proposal)` tells duplicates apart. */
  constructor(private readonly selectorOf: (proposal: P) => string) {}

  add(parentSelector: string, selector: string, orphan: Orphan<P>): void {
    const list = this.byParent.get(parentSelector) ?? []
    if (list.length < MAX_PER_PARENT && !list.some((o) => this.selectorOf(o.proposal) === selector)) list.push(orphan)
    this.byParent.set(parentSelector, list)
  }

  /** Removes and returns the orphans waiting for `parentSelector`. */
  release(parentSelector: string): ReadonlyArray<Orphan<P>> {
    const list = this.byParent.get(parentSelector)
    if (list === undefined) return []
    this.byParent.delete(parentSelector)
    return list
  }

  /** The parent selectors orphans wait for (a copy: releasing while iterating is fine). */
  parents(): ReadonlyArray<string> {
    return [...this.byParent.keys()]
  }

  /** Drops orphans at or below a committed rank. */
  dropUpTo(rank: bigint, rankOf: (proposal: P) => bigint): void {
    for (const [selector, list] of this.byParent) {
      const kept = list.filter((o) => rankOf(o.proposal) > rank)
      if (kept.length === 0) this.byParent.delete(selector)
      else this.byParent.set(selector, kept)
    }
  }
}
