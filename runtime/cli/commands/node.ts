// `bun run cli node info|workers|actors [--json] [--api http://host:port] [--data-dir dir]`:
// reads a running node's admin API. Human output by default, the API's JSON with --json.
import { Either } from "effect"
import { EXIT_NEGATIVE, EXIT_OK, println, usageError } from "../command.ts"
import { resolveAdminTarget } from "../../node/admin-client.ts"

const USAGE = "usage: bun run cli node info|workers|actors [--json] [--api http://host:port] [--data-dir <dir>]"

interface Parsed {
  readonly command: "info" | "workers" | "actors"
  readonly json: boolean
  readonly api: string | undefined
  readonly dataDir: string | undefined
}

const parse = (args: ReadonlyArray<string>): Either.Either<Parsed, string> => {
  let command: Parsed["command"] | undefined
  let json = false
  let api: string | undefined
  let dataDir: string | undefined
  for (let i = 0; i < args.length; i++) {
    const a = args[i]
    if (a === "--json") json = true
    else if (a === "--api" || a === "--data-dir") {
      const v = args[++i]
      if (v === undefined) return Either.left(`${a} needs a value`)
      if (a === "--api") api = v
      else dataDir = v
    } else if ((a === "info" || a === "workers" || a === "actors") && command === undefined) command = a
    else return Either.left(`unexpected argument: ${a ?? ""}`)
  }
  if (command === undefined) return Either.left("missing subcommand")
  return Either.right({ command, json, api, dataDir })
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

const human = (command: Parsed["command"], body: unknown, url: string): void => {
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
  } else {
    printTree(body as TreeNode, "", true, true)
  }
}

const ROUTES: Record<Parsed["command"], string> = { info: "/v1/node", workers: "/v1/workers", actors: "/v1/actors" }

export const run = async (args: ReadonlyArray<string>): Promise<number> => {
  const parsed = parse(args)
  if (Either.isLeft(parsed)) return usageError(parsed.left, USAGE)
  const { command, json } = parsed.right
  const target = resolveAdminTarget({ api: parsed.right.api, dataDir: parsed.right.dataDir })
  if (Either.isLeft(target)) return usageError(target.left, USAGE)
  const { url } = target.right
  let res: Response
  try {
    res = await fetch(`${url}${ROUTES[command]}`, { signal: AbortSignal.timeout(10_000) })
  } catch (error) {
    process.stderr.write(`error: cannot reach the node at ${url}: ${error instanceof Error ? error.message : String(error)}\n`)
    return EXIT_NEGATIVE
  }
  const text = await res.text()
  if (!res.ok) {
    process.stderr.write(`error: ${url}${ROUTES[command]}: HTTP ${res.status}: ${text}\n`)
    return EXIT_NEGATIVE
  }
  if (json) {
    println(text)
    return EXIT_OK
  }
  human(command, JSON.parse(text) as unknown, url)
  return EXIT_OK
}
