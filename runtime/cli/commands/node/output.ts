// Human views of the admin API's answers for `node info|workers|actors` (without --json).
import type { NodeView } from "./query.ts"

const println = (line: string): void => {
  process.stdout.write(`${line}\n`)
}

const duration = (ms: number): string => {
  const s = Math.floor(ms / 1000)
  if (s < 60) return `${s}s`
  const m = Math.floor(s / 60)
  if (m < 60) return `${m}m${s % 60}s`
  return `${Math.floor(m / 60)}h${m % 60}m`
}

interface TreeNode {
  readonly name: string
  readonly type?: string
  readonly status?: string
  readonly state?: string
  readonly pid?: number | null
  readonly processed?: number
  readonly restarts?: number
  readonly mailbox?: { readonly depth: number; readonly capacity: number } | null
  readonly children: ReadonlyArray<TreeNode>
}

const printTree = (node: TreeNode, prefix: string, last: boolean, root: boolean): void => {
  const facts: Array<string> = [node.type ?? "?", node.status ?? node.state ?? "?"]
  if (node.pid !== undefined && node.pid !== null) facts.push(`pid=${node.pid}`)
  if (node.mailbox !== undefined && node.mailbox !== null) facts.push(`mailbox=${node.mailbox.depth}/${node.mailbox.capacity}`)
  if (node.processed !== undefined) facts.push(`processed=${node.processed}`)
  if (node.restarts !== undefined) facts.push(`restarts=${node.restarts}`)
  println(`${prefix}${root ? "" : last ? "└─ " : "├─ "}${node.name} (${facts.join(", ")})`)
  const childPrefix = root ? "" : `${prefix}${last ? "   " : "│  "}`
  node.children.forEach((c, i) => printTree(c, childPrefix, i === node.children.length - 1, false))
}

export const human = (command: NodeView, body: unknown, url: string): void => {
  if (command === "info") {
    const info = body as { version: string; nodeId: string; uptimeMs: number; roles: ReadonlyArray<string>; pid: number; config: { workers?: number } }
    println(`node id:  ${info.nodeId}`)
    println(`version:  ${info.version}`)
    println(`uptime:   ${duration(info.uptimeMs)}`)
    println(`pid:      ${info.pid}`)
    println(`roles:    ${info.roles.join(", ")}`)
    println(`workers:  ${info.config.workers ?? "?"}`)
    println(`api:      ${url}`)
  } else if (command === "workers") {
    const rows = body as ReadonlyArray<{ core: number; pid: number | null; state: string; restarts: number; uptimeMs: number }>
    println(`${"CORE".padEnd(6)}${"PID".padEnd(9)}${"STATE".padEnd(14)}${"RESTARTS".padEnd(10)}UPTIME`)
    for (const w of rows) {
      println(`${String(w.core).padEnd(6)}${String(w.pid ?? "-").padEnd(9)}${w.state.padEnd(14)}${String(w.restarts).padEnd(10)}${duration(w.uptimeMs)}`)
    }
  } else if (command === "status") {
    // The very line the node logs every 30 s.
    println((body as { line: string }).line)
  } else {
    printTree(body as TreeNode, "", true, true)
  }
}
