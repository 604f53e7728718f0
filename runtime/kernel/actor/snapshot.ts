// The live tree as plain, JSON-serializable data. The admin API and the tests read the same shape.

export type ChildKind = "permanent" | "transient" | "temporary"
export type NodeStatus = "idle" | "running" | "restarting" | "stopping" | "stopped"

export interface ActorSnapshot {
  readonly path: string
  readonly name: string
  readonly type: "actor" | "supervisor"
  readonly kind: ChildKind
  readonly status: NodeStatus
  /** Null for supervisors (they have no mailbox). */
  readonly mailbox: { readonly depth: number; readonly capacity: number } | null
  readonly processed: number
  readonly failed: number
  readonly restarts: number
  readonly deadLetters: number
  readonly lastFailure: string | null
  readonly children: ReadonlyArray<ActorSnapshot>
}

/** Depth-first list of every node in a snapshot (handy for tests and the admin API). */
export const flatten = (root: ActorSnapshot): ReadonlyArray<ActorSnapshot> => {
  const out: Array<ActorSnapshot> = []
  const visit = (node: ActorSnapshot): void => {
    out.push(node)
    for (const child of node.children) visit(child)
  }
  visit(root)
  return out
}

/** Find a node by path. */
export const find = (root: ActorSnapshot, path: string): ActorSnapshot | undefined => flatten(root).find((node) => node.path === path)
