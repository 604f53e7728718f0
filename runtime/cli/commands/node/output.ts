// Human views of the admin API's decoded answers for `node info|workers|actors|status` (without
// --json), as lines. Every string that came from the reply is made terminal-safe (oneLine): a
// reply cannot move the cursor, recolour the terminal or forge extra lines.
import { oneLine } from "../../plain-text.ts"
import type { Reply, TreeReply } from "./replies.ts"

const duration = (ms: number): string => {
  const s = Math.floor(ms / 1000)
  if (s < 60) return `${s}s`
  const m = Math.floor(s / 60)
  if (m < 60) return `${m}m${s % 60}s`
  return `${Math.floor(m / 60)}h${m % 60}m`
}

const treeLines = (node: TreeReply, prefix: string, last: boolean, root: boolean, out: Array<string>): void => {
  const facts: Array<string> = [oneLine(node.type ?? "?"), oneLine(node.status ?? node.state ?? "?")]
  if (node.pid !== undefined && node.pid !== null) facts.push(`pid=${node.pid}`)
  if (node.mailbox !== undefined && node.mailbox !== null) facts.push(`mailbox=${node.mailbox.depth}/${node.mailbox.capacity}`)
  if (node.processed !== undefined) facts.push(`processed=${node.processed}`)
  if (node.restarts !== undefined) facts.push(`restarts=${node.restarts}`)
  out.push(`${prefix}${root ? "" : last ? "└─ " : "├─ "}${oneLine(node.name)} (${facts.join(", ")})`)
  const childPrefix = root ? "" : `${prefix}${last ? "   " : "│  "}`
  node.children.forEach((c, i) => treeLines(c, childPrefix, i === node.children.length - 1, false, out))
}

export const humanLines = (reply: Reply, url: string): ReadonlyArray<string> => {
  switch (reply.view) {
    case "info": {
      const info = reply.body
      return [
        `node id:  ${oneLine(info.nodeId)}`,
        `version:  ${oneLine(info.version)}`,
        `uptime:   ${duration(info.uptimeMs)}`,
        `pid:      ${info.pid}`,
        `roles:    ${info.roles.map(oneLine).join(", ")}`,
        `workers:  ${info.config.workers ?? "?"}`,
        `api:      ${url}`,
      ]
    }
    case "workers":
      return [
        `${"CORE".padEnd(6)}${"PID".padEnd(9)}${"STATE".padEnd(14)}${"RESTARTS".padEnd(10)}UPTIME`,
        ...reply.body.map(
          (w) =>
            `${String(w.core).padEnd(6)}${String(w.pid ?? "-").padEnd(9)}${oneLine(w.state).padEnd(14)}${String(w.restarts).padEnd(10)}${duration(w.uptimeMs)}`,
        ),
      ]
    case "status":
      // The very line the node logs every 30 s.
      return [oneLine(reply.body.line)]
    case "actors": {
      const out: Array<string> = []
      treeLines(reply.body, "", true, true, out)
      return out
    }
  }
}
