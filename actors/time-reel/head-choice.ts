// Fork choice over the tree (consensus.md §2.4, archive mode): which leaf should be the head, and what
// moving there means (a plain advance, or a reorg with a common ancestor and reverted frames). The
// branch scoring itself is the pure `forkChoice` of actors/consensus/core/fork-choice.ts.
import { forkChoice, type ForkChoiceParams, type ScoredFrame, signerSeniority } from "../consensus/core/fork-choice.ts"
import type { FrameTree } from "./frame-tree.ts"
import type { ReelFrame, ReelNode } from "./reel-frame.ts"

export type HeadMove<F extends ReelFrame> =
  | { readonly _tag: "Stay" }
  /** `path`: the frames after the old head up to the new head, oldest first. */
  | { readonly _tag: "Advance"; readonly oldHead: ReelNode<F> | undefined; readonly path: ReadonlyArray<ReelNode<F>> }
  | {
      readonly _tag: "Reorg"
      readonly oldHead: ReelNode<F>
      readonly ancestor: ReelNode<F>
      /** Old head first, down to (excluding) the ancestor (D-REEL-4). */
      readonly reverted: ReadonlyArray<ReelNode<F>>
      /** After the ancestor up to the new head, oldest first. */
      readonly path: ReadonlyArray<ReelNode<F>>
    }

export interface ScoringInputs<F extends ReelFrame> {
  /** The prover address used by the diversity bonus (global: output[0:32], app: header.prover). */
  readonly proverOf: (node: ReelNode<F>) => Uint8Array
  /** Distance term (0 for global frames). */
  readonly distanceOf: (node: ReelNode<F>) => bigint
}

const scored = <F extends ReelFrame>(tree: FrameTree<F>, inputs: ScoringInputs<F>, node: ReelNode<F>): ScoredFrame => {
  return {
    distance: inputs.distanceOf(node),
    seniority: signerSeniority(node.frame.header.publicKeySignatureBls48581?.bitmask, tree.equivocators.get(node.frameNumber)),
    prover: inputs.proverOf(node),
  }
}

/** The move from the current head to `target`. */
const moveTo = <F extends ReelFrame>(tree: FrameTree<F>, target: ReelNode<F>): HeadMove<F> => {
  const head = tree.head
  if (head === undefined) return { _tag: "Advance", oldHead: undefined, path: tree.lineage(target, target.depth + 1) }
  if (head.id === target.id) return { _tag: "Stay" }
  if (tree.isAncestor(head, target)) return { _tag: "Advance", oldHead: head, path: tree.pathAfter(head, target) }
  const ancestor = tree.commonAncestor(head, target)
  if (ancestor === undefined) return { _tag: "Stay" } // not connected to the head's tree: never chosen
  const reverted = tree.pathAfter(ancestor, head).reverse()
  return { _tag: "Reorg", oldHead: head, ancestor, reverted, path: tree.pathAfter(ancestor, target) }
}

/**
 * §2.4 cases 2–4: with at most one leaf, a deeper leaf wins; among several leaves, the single deepest
 * wins (D-REEL-3); several leaves at the same maximum depth are scored as branches of their last
 * `maxDepth` frames, oldest first, the head's branch (else the first by id) being the incumbent.
 */
export const chooseHead = <F extends ReelFrame>(tree: FrameTree<F>, inputs: ScoringInputs<F>, maxDepth: number, params?: ForkChoiceParams): HeadMove<F> => {
  const head = tree.head
  const leaves = tree.leaves()
  if (head === undefined || leaves.length === 0) return { _tag: "Stay" }
  const deepest = Math.max(...leaves.map((l) => l.depth))
  // Sorted by id so the outcome does not depend on arrival order.
  const competing = leaves.filter((l) => l.depth === deepest).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
  const [only] = competing
  if (competing.length === 1 && only !== undefined) return moveTo(tree, only)
  const branches = competing.map((leaf) => tree.lineage(leaf, maxDepth).map((n) => scored(tree, inputs, n)))
  const incumbent = Math.max(
    0,
    competing.findIndex((l) => l.id === head.id),
  )
  const winner = competing[forkChoice(branches, incumbent, params)]
  return winner === undefined ? { _tag: "Stay" } : moveTo(tree, winner)
}
