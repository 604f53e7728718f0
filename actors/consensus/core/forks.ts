// Forks (consensus.md §3.10): the tree of validated, not yet committed states above the committed root,
// with the 2-chain finalization rule. A certified state C whose parent P is its *direct* child-of
// (P.rank + 1 = C.rank) finalizes P and every uncommitted ancestor; the QC certifying each finalized
// state is the parent QC its child carried. quilbun commits on this rule, not on the reference's
// 1-chain materialization (DECISIONS.md D-GC-2).
import type { ChainProposal } from "./chain-kind.ts"
import type { Committee } from "./committee-source.ts"
import type { QuorumCertificate } from "./messages/quorum-certificate.ts"

/** What Forks reads of a proposal: the QC certifying its parent (the same for every chain kind). */
type ProposalLike = Pick<ChainProposal<unknown>, "parentQuorumCertificate">

export interface StateNode<F = unknown, P extends ProposalLike = ProposalLike> {
  readonly selector: string
  readonly parentSelector: string
  readonly rank: bigint
  readonly frameNumber: bigint
  readonly proposer: string
  readonly frame: F
  /** Absent for the committed root. */
  readonly proposal: P | undefined
  /**
   * Who votes on this frame, computed when it entered Forks (app D-APP-18): its QC, and the leader and
   * votes of its rank, are checked against it. The engine always sets it; Forks itself never reads it.
   */
  readonly committee?: Committee | undefined
}

export interface Root<F = unknown, P extends ProposalLike = ProposalLike> {
  readonly node: StateNode<F, P>
  readonly qc: QuorumCertificate
}

export type AddResult<F = unknown, P extends ProposalLike = ProposalLike> =
  | { readonly _tag: "Added"; readonly equivocatesWith: StateNode<F, P> | undefined }
  | { readonly _tag: "Known" }
  | { readonly _tag: "BelowRoot" }

export type FinalizeResult<F = unknown, P extends ProposalLike = ProposalLike> =
  | { readonly _tag: "Nothing" }
  /** Oldest first; each with the QC that certifies it. */
  | { readonly _tag: "Finalize"; readonly chain: ReadonlyArray<{ readonly node: StateNode<F, P>; readonly qc: QuorumCertificate }> }
  | { readonly _tag: "Conflict"; readonly detail: string }

export class Forks<F = unknown, P extends ProposalLike = ProposalLike> {
  private readonly nodes = new Map<string, StateNode<F, P>>()
  private readonly byRank = new Map<bigint, Array<StateNode<F, P>>>()
  private rootState: Root<F, P>

  constructor(root: Root<F, P>) {
    this.rootState = root
  }

  get root(): Root<F, P> {
    return this.rootState
  }

  get size(): number {
    return this.nodes.size
  }

  /** A validated state, or the root. */
  get(selector: string): StateNode<F, P> | undefined {
    return selector === this.rootState.node.selector ? this.rootState.node : this.nodes.get(selector)
  }

  has(selector: string): boolean {
    return this.get(selector) !== undefined
  }

  /** Uncommitted states, ascending by rank (for the sync server and restart replay). */
  pending(): ReadonlyArray<StateNode<F, P>> {
    return [...this.nodes.values()].sort((a, b) => (a.rank < b.rank ? -1 : a.rank > b.rank ? 1 : 0))
  }

  add(node: StateNode<F, P>): AddResult<F, P> {
    if (node.rank <= this.rootState.node.rank) return { _tag: "BelowRoot" }
    if (this.get(node.selector) !== undefined) return { _tag: "Known" }
    const sameRank = this.byRank.get(node.rank) ?? []
    const equivocatesWith = sameRank.find((other) => other.proposer === node.proposer && other.selector !== node.selector)
    sameRank.push(node)
    this.byRank.set(node.rank, sameRank)
    this.nodes.set(node.selector, node)
    return { _tag: "Added", equivocatesWith }
  }

  /** States whose parent is `selector`. */
  children(selector: string): ReadonlyArray<StateNode<F, P>> {
    return [...this.nodes.values()].filter((n) => n.parentSelector === selector)
  }

  /** Check finalization after learning that `certified` has a QC. */
  finalizeFor(certifiedSelector: string): FinalizeResult<F, P> {
    const child = this.nodes.get(certifiedSelector)
    if (child === undefined || child.proposal === undefined) return { _tag: "Nothing" }
    const parent = this.get(child.parentSelector)
    if (parent === undefined || parent.rank + 1n !== child.rank) return { _tag: "Nothing" }
    if (parent === this.rootState.node) return { _tag: "Nothing" }
    const chain: Array<{ node: StateNode<F, P>; qc: QuorumCertificate }> = []
    let current: StateNode<F, P> = parent
    let certifyingQc: QuorumCertificate = child.proposal.parentQuorumCertificate
    for (;;) {
      chain.push({ node: current, qc: certifyingQc })
      if (current.parentSelector === this.rootState.node.selector) break
      const up = this.nodes.get(current.parentSelector)
      if (up === undefined) {
        if (current.frameNumber <= this.rootState.node.frameNumber + 1n) {
          return { _tag: "Conflict", detail: `finalized state at frame ${current.frameNumber} does not extend the committed root` }
        }
        return { _tag: "Nothing" } // a gap: wait for sync
      }
      if (current.proposal === undefined) return { _tag: "Nothing" }
      certifyingQc = current.proposal.parentQuorumCertificate
      current = up
    }
    chain.reverse()
    return { _tag: "Finalize", chain }
  }

  /** Move the root to the newest finalized state and drop everything at or below its rank. */
  advanceRoot(root: Root<F, P>): void {
    this.rootState = root
    for (const [selector, node] of this.nodes) {
      if (node.rank <= root.node.rank) this.nodes.delete(selector)
    }
    for (const rank of [...this.byRank.keys()]) if (rank <= root.node.rank) this.byRank.delete(rank)
  }
}
