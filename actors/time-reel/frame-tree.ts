// The in-memory tree of a time reel (consensus.md §2): linked frames from a root, the head, frames
// waiting for their parent (pending), and equivocating signer bits per height. Plain mutable data owned
// by one actor incarnation; a crash throws it away and the next incarnation rebuilds it from the store.
import type { ReelEntry, ReelFrame, ReelNode } from "./reel-frame.ts"

export class FrameTree<F extends ReelFrame> {
  readonly nodes = new Map<string, ReelNode<F>>()
  /** hex(selector) → node id. */
  readonly bySelector = new Map<string, string>()
  readonly byNumber = new Map<bigint, Set<string>>()
  /** hex(parent selector) → frames waiting for that parent, by id. */
  readonly pending = new Map<string, Map<string, ReelEntry<F>>>()
  readonly pendingIds = new Set<string>()
  /** Frame number → signer indices seen in two conflicting frames at that height. */
  readonly equivocators = new Map<bigint, Set<number>>()
  rootId: string | undefined
  headId: string | undefined

  get size(): number {
    return this.nodes.size
  }

  get head(): ReelNode<F> | undefined {
    return this.headId === undefined ? undefined : this.nodes.get(this.headId)
  }

  get root(): ReelNode<F> | undefined {
    return this.rootId === undefined ? undefined : this.nodes.get(this.rootId)
  }

  has(id: string): boolean {
    return this.nodes.has(id) || this.pendingIds.has(id)
  }

  node(id: string): ReelNode<F> {
    const n = this.nodes.get(id)
    if (n === undefined) throw new Error(`time reel: unknown node ${id}`)
    return n
  }

  findBySelector(selectorHex: string): ReelNode<F> | undefined {
    const id = this.bySelector.get(selectorHex)
    return id === undefined ? undefined : this.nodes.get(id)
  }

  atNumber(frameNumber: bigint): Array<ReelNode<F>> {
    return [...(this.byNumber.get(frameNumber) ?? [])].map((id) => this.node(id))
  }

  private index(node: ReelNode<F>): void {
    this.nodes.set(node.id, node)
    this.bySelector.set(node.selectorHex, node.id)
    const same = this.byNumber.get(node.frameNumber) ?? new Set<string>()
    same.add(node.id)
    this.byNumber.set(node.frameNumber, same)
  }

  private unindex(node: ReelNode<F>): void {
    this.nodes.delete(node.id)
    if (this.bySelector.get(node.selectorHex) === node.id) this.bySelector.delete(node.selectorHex)
    const same = this.byNumber.get(node.frameNumber)
    same?.delete(node.id)
    if (same?.size === 0) this.byNumber.delete(node.frameNumber)
  }

  /** Makes `entry` the root (genesis, or the first frame of a bootstrap window). */
  setRoot(entry: ReelEntry<F>, depth = 0): ReelNode<F> {
    const node: ReelNode<F> = { ...entry, parentId: undefined, children: new Set(), depth }
    this.index(node)
    this.rootId = node.id
    return node
  }

  link(entry: ReelEntry<F>, parent: ReelNode<F>): ReelNode<F> {
    const node: ReelNode<F> = { ...entry, parentId: parent.id, children: new Set(), depth: parent.depth + 1 }
    this.index(node)
    parent.children.add(node.id)
    return node
  }

  parentOf(node: ReelNode<F>): ReelNode<F> | undefined {
    return node.parentId === undefined ? undefined : this.nodes.get(node.parentId)
  }

  /** `ancestor` is `node` or one of its ancestors. */
  isAncestor(ancestor: ReelNode<F>, node: ReelNode<F>): boolean {
    let n: ReelNode<F> | undefined = node
    while (n !== undefined && n.depth >= ancestor.depth) {
      if (n.id === ancestor.id) return true
      n = this.parentOf(n)
    }
    return false
  }

  /** Deepest node that is an ancestor of (or equal to) both; undefined if they share no root. */
  commonAncestor(a: ReelNode<F>, b: ReelNode<F>): ReelNode<F> | undefined {
    let x: ReelNode<F> | undefined = a
    let y: ReelNode<F> | undefined = b
    while (x !== undefined && y !== undefined && x.id !== y.id) {
      if (x.depth >= y.depth) x = this.parentOf(x)
      else y = this.parentOf(y)
    }
    return x !== undefined && y !== undefined ? x : undefined
  }

  /** Nodes after `from` (exclusive) down to `to` (inclusive), oldest first; `from` must be an ancestor. */
  pathAfter(from: ReelNode<F>, to: ReelNode<F>): Array<ReelNode<F>> {
    const path: Array<ReelNode<F>> = []
    let n: ReelNode<F> | undefined = to
    while (n !== undefined && n.id !== from.id) {
      path.push(n)
      n = this.parentOf(n)
    }
    return path.reverse()
  }

  /** The last `count` nodes ending at `node`, oldest first (a fork-choice branch). */
  lineage(node: ReelNode<F>, count: number): Array<ReelNode<F>> {
    const out: Array<ReelNode<F>> = []
    let n: ReelNode<F> | undefined = node
    while (n !== undefined && out.length < count) {
      out.push(n)
      n = this.parentOf(n)
    }
    return out.reverse()
  }

  leaves(): Array<ReelNode<F>> {
    return [...this.nodes.values()].filter((n) => n.children.size === 0)
  }

  // --- pending frames (children that arrived before their parent) ---

  addPending(entry: ReelEntry<F>): void {
    const waiting = this.pending.get(entry.parentSelectorHex) ?? new Map<string, ReelEntry<F>>()
    waiting.set(entry.id, entry)
    this.pending.set(entry.parentSelectorHex, waiting)
    this.pendingIds.add(entry.id)
  }

  /** Removes and returns the frames waiting for `selectorHex`. */
  takePending(selectorHex: string): Array<ReelEntry<F>> {
    const waiting = this.pending.get(selectorHex)
    if (waiting === undefined) return []
    this.pending.delete(selectorHex)
    for (const id of waiting.keys()) this.pendingIds.delete(id)
    return [...waiting.values()]
  }

  /** Drops pending frames for which `drop` holds; returns how many. */
  prunePending(drop: (entry: ReelEntry<F>) => boolean): number {
    let dropped = 0
    for (const [parent, waiting] of this.pending) {
      for (const [id, entry] of waiting) {
        if (!drop(entry)) continue
        waiting.delete(id)
        this.pendingIds.delete(id)
        dropped++
      }
      if (waiting.size === 0) this.pending.delete(parent)
    }
    return dropped
  }

  // --- pruning ---

  /**
   * Keeps the last `maxDepth` levels up to the head (§2.6 `pruneOldFrames`): the head's ancestor at the
   * cut depth becomes the root, and every node that does not descend from it is dropped (D-REEL-6).
   */
  prune(maxDepth: number): number {
    const head = this.head
    if (head === undefined) return 0
    const cut = head.depth - maxDepth + 1
    const root = this.root
    if (root === undefined || root.depth >= cut) return 0
    let newRoot: ReelNode<F> = head
    while (newRoot.depth > cut && newRoot.parentId !== undefined) newRoot = this.node(newRoot.parentId)
    const keep = new Set<string>()
    const stack = [newRoot.id]
    while (stack.length > 0) {
      const id = stack.pop() as string
      keep.add(id)
      for (const c of this.node(id).children) stack.push(c)
    }
    let removed = 0
    for (const node of [...this.nodes.values()]) {
      if (keep.has(node.id)) continue
      this.unindex(node)
      removed++
    }
    newRoot.parentId = undefined
    this.rootId = newRoot.id
    for (const n of this.equivocators.keys()) if (n < newRoot.frameNumber) this.equivocators.delete(n)
    return removed
  }

  /** Removes `node` and all its descendants (rewind). */
  removeSubtree(node: ReelNode<F>): void {
    const parent = this.parentOf(node)
    parent?.children.delete(node.id)
    const stack = [node.id]
    while (stack.length > 0) {
      const n = this.node(stack.pop() as string)
      for (const c of n.children) stack.push(c)
      this.unindex(n)
    }
  }
}
