// Starts and stops the node processes of a devnet: one `bun runtime/node/main.ts` per member, each with
// its own data dir, API port and p2p port, bootstrapped to all the others and given the shared genesis
// committee. A node's stdout and stderr go to `<dataDir>/node.log` so the devnet's own output stays
// one line per node.
import type { Subprocess } from "bun"
import { closeSync, openSync } from "node:fs"
import { join } from "node:path"
import type { DevnetMember } from "./genesis.ts"

const repoRoot = join(import.meta.dir, "../../..")
const nodeEntry = join(repoRoot, "runtime/node/main.ts")

/** How long a node may take to answer /health after being spawned. */
const API_WAIT_MS = 60_000
/** A node gets its shutdown deadline (8 s by default) plus a margin before it is killed. */
const STOP_WAIT_MS = 15_000

export interface DevnetNode {
  readonly member: DevnetMember
  readonly apiPort: number
  readonly p2pPort: number
  readonly api: string
  readonly logFile: string
  readonly proc: Subprocess<"ignore", number, number>
}

/** `count` distinct loopback ports that were free a moment ago (all held open together, then released). */
export const freePorts = (count: number): ReadonlyArray<number> => {
  const servers = Array.from({ length: count }, () => Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data: () => undefined } }))
  const ports = servers.map((s) => s.port)
  for (const s of servers) s.stop(true)
  return ports
}

export const p2pAddress = (port: number, peerId: string): string => `/ip4/127.0.0.1/tcp/${port}/p2p/${peerId}`

export interface LaunchOptions {
  readonly members: ReadonlyArray<DevnetMember>
  readonly workers: number
  readonly nodeArgs: ReadonlyArray<string>
}

/** Where one member listens: its admin API and libp2p ports, kept across restarts. */
export interface MemberPlacement {
  readonly member: DevnetMember
  readonly apiPort: number
  readonly p2pPort: number
}

/** Picks an API and a p2p port for every member. */
export const placeMembers = (members: ReadonlyArray<DevnetMember>): ReadonlyArray<MemberPlacement> => {
  const ports = freePorts(2 * members.length)
  return members.map((member, i) => ({ member, apiPort: ports[2 * i] ?? 0, p2pPort: ports[2 * i + 1] ?? 0 }))
}

/**
 * Spawns one member on its data dir and ports, bootstrapped to every other placement (does not wait).
 * Used again on the same placement to restart a node after it was stopped or killed.
 */
export const spawnMember = (
  placement: MemberPlacement,
  all: ReadonlyArray<MemberPlacement>,
  options: Pick<LaunchOptions, "workers" | "nodeArgs">,
): DevnetNode => {
  const { member, apiPort, p2pPort } = placement
  const genesis = all.map((p) => p.member.proverPublicKey).join(",")
  const bootstrap = all.filter((p) => p.member.index !== member.index).map((p) => p2pAddress(p.p2pPort, p.member.peerId))
  const logFile = join(member.dataDir, "node.log")
  const fd = openSync(logFile, "a", 0o600)
  const proc = Bun.spawn({
    cmd: [
      process.execPath,
      nodeEntry,
      "--data-dir",
      member.dataDir,
      "--api-listen",
      `127.0.0.1:${apiPort}`,
      "--workers",
      String(options.workers),
      "--set",
      `p2p.listen=/ip4/127.0.0.1/tcp/${p2pPort}`,
      "--set",
      `p2p.bootstrap=${bootstrap.join(",")}`,
      ...options.nodeArgs,
    ],
    cwd: repoRoot,
    // The committee is long (1170 hex characters per prover): env keeps the command line readable.
    env: { ...process.env, QUILBUN_ENGINE_GENESIS_PROVERS: genesis },
    stdin: "ignore",
    stdout: fd,
    stderr: fd,
    // Own process group: a terminal's Ctrl-C reaches only the devnet, which then stops each node once
    // (a second signal during a node's graceful shutdown would kill it outright).
    detached: true,
  })
  closeSync(fd) // the child holds its own copy
  return { member, apiPort, p2pPort, api: `http://127.0.0.1:${apiPort}`, logFile, proc }
}

/** Spawns every member (does not wait for them). */
export const launchNodes = async (options: LaunchOptions): Promise<ReadonlyArray<DevnetNode>> => {
  const placements = placeMembers(options.members)
  return placements.map((placement) => spawnMember(placement, placements, options))
}

class NodeExitedEarly extends Error {
  constructor(readonly node: DevnetNode) {
    super(`node ${node.member.index} exited with code ${node.proc.exitCode ?? "?"} before its API answered (see ${node.logFile})`)
  }
}

/** Resolves when the node's /health answers 200; rejects when it exits first or the wait times out. */
export const waitForApi = async (node: DevnetNode, timeoutMs: number = API_WAIT_MS): Promise<void> => {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (node.proc.exitCode !== null || node.proc.signalCode !== null) throw new NodeExitedEarly(node)
    try {
      const res = await fetch(`${node.api}/health`, { signal: AbortSignal.timeout(1_000) })
      if (res.ok) return
    } catch {
      // not listening yet
    }
    await Bun.sleep(100)
  }
  throw new Error(`node ${node.member.index}: API ${node.api} did not answer within ${timeoutMs} ms (see ${node.logFile})`)
}

/** Last resort when the devnet process exits without stopping its nodes (e.g. an uncaught error). */
export const killOnExit = (nodes: ReadonlyArray<DevnetNode>): void => {
  process.on("exit", () => {
    for (const n of nodes) if (n.proc.exitCode === null && n.proc.signalCode === null) n.proc.kill("SIGTERM")
  })
}

/** SIGTERM to every node at once, then waits; a node still running after the grace period is killed. */
export const stopNodes = async (nodes: ReadonlyArray<DevnetNode>): Promise<ReadonlyArray<number | null>> =>
  Promise.all(
    nodes.map(async (node) => {
      if (node.proc.exitCode === null && node.proc.signalCode === null) node.proc.kill("SIGTERM")
      const timer = setTimeout(() => node.proc.kill("SIGKILL"), STOP_WAIT_MS)
      try {
        return await node.proc.exited
      } finally {
        clearTimeout(timer)
      }
    }),
  )
