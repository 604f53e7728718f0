// `bun run devnet` as a child process for the e2e tests: start it on a base dir, wait for its one line
// per node, read every node's committed head, stop it with a signal.
import { join } from "node:path"
import { Effect } from "effect"
import { prepareDevnetMembers } from "../../runtime/cli/devnet/genesis.ts"
import { apiUrlOnceWritten, getJson, mainEntry, pollUntil, repoRoot } from "./node-process.ts"

interface DevnetLine {
  readonly index: number
  readonly api: string
  readonly peer: string
}

export interface Head {
  readonly frameNumber: number
  readonly rank: number
  readonly selector: string
}

export interface RunningDevnet {
  readonly proc: ReturnType<typeof Bun.spawn>
  /** Everything the devnet printed so far (stdout, stderr). */
  readonly output: () => { readonly out: string; readonly err: string }
  /** Resolves with the "node <i> api=… peer=…" lines once all nodes answer. */
  readonly ready: (timeoutMs?: number) => Promise<ReadonlyArray<DevnetLine>>
  readonly heads: () => Promise<ReadonlyArray<Head>>
  /** SIGTERM (or the given signal) and the exit code. */
  readonly stop: (signal?: NodeJS.Signals) => Promise<number>
}

const LINE = /^node (\d+) api=(http:\/\/127\.0\.0\.1:\d+) peer=(\S+)$/

/**
 * `devnetArgs` go to the devnet itself (e.g. `--shards 2`), `nodeArgs` to every node. The devnet's
 * wallet credit is off unless `credit` (it costs a CLI process and a commit per node).
 */
export const spawnDevnet = (
  nodes: number,
  baseDir: string,
  nodeArgs: ReadonlyArray<string> = [],
  devnetArgs: ReadonlyArray<string> = [],
  { credit = false }: { readonly credit?: boolean } = {},
): RunningDevnet => {
  const creditArgs = credit ? [] : ["--no-credit"]
  const proc = Bun.spawn({
    cmd: [
      process.execPath,
      join(repoRoot, "runtime/cli/devnet/main.ts"),
      "--nodes",
      String(nodes),
      "--base-dir",
      baseDir,
      ...creditArgs,
      ...devnetArgs,
      "--",
      ...nodeArgs,
    ],
    cwd: repoRoot,
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  })
  let out = ""
  let err = ""
  void (async () => {
    for await (const chunk of proc.stdout) out += new TextDecoder().decode(chunk)
  })()
  void (async () => {
    for await (const chunk of proc.stderr) err += new TextDecoder().decode(chunk)
  })()
  let lines: ReadonlyArray<DevnetLine> = []
  const ready = async (timeoutMs = 60_000) => {
    lines = await pollUntil("one line per devnet node", timeoutMs, () => {
      if (proc.exitCode !== null) throw new Error(`devnet exited ${proc.exitCode}: ${err}`)
      const parsed = out
        .split("\n")
        .map((l) => LINE.exec(l))
        .filter((m): m is RegExpExecArray => m !== null)
        .map((m): DevnetLine => ({ index: Number(m[1]), api: m[2] ?? "", peer: m[3] ?? "" }))
      return parsed.length === nodes ? parsed : undefined
    })
    return lines
  }
  return {
    proc,
    output: () => ({ out, err }),
    ready,
    heads: () => Promise.all(lines.map((l) => getJson<Head>(`${l.api}/v1/frames/global/head`))),
    stop: async (signal = "SIGTERM") => {
      proc.kill(signal)
      return proc.exited
    },
  }
}

/**
 * Stops every devnet a test file started, after the file: SIGTERM first, so each launcher stops its
 * nodes (a SIGKILLed launcher leaves them running), then SIGKILL whatever is left.
 */
export const stopAllAfter = (running: ReadonlyArray<RunningDevnet>, graceMs = 15_000): Promise<void> =>
  Promise.all(running.map((d) => Promise.race([d.stop(), Bun.sleep(graceMs)]))).then(() => {
    for (const d of running) d.proc.kill("SIGKILL")
  })

export interface LateNode {
  readonly proc: ReturnType<typeof Bun.spawn>
  /** The late node's admin API URL; throws until it has written its address file (polls retry). */
  readonly url: () => string
  /** The devnet's members as read back from their key files (peer ids, prover keys). */
  readonly members: ReadonlyArray<{ readonly peerId: string; readonly proverPublicKey: string }>
}

/**
 * A node started beside a running devnet, outside its committee: the same genesis committee (read back
 * from the devnet's key files), bootstrapped to the members' listen addresses as they report them, any
 * free API and p2p port (read back from its address file, so nothing races for a port).
 */
export const spawnLateNode = async (options: {
  readonly baseDir: string
  readonly nodes: number
  readonly apis: ReadonlyArray<string>
  readonly workers: number
  readonly nodeArgs: ReadonlyArray<string>
  /** where its stderr goes (default: discarded) */
  readonly log?: string
}): Promise<LateNode> => {
  const members = await Effect.runPromise(prepareDevnetMembers(options.baseDir, options.nodes))
  const peers = await Promise.all(options.apis.map((api) => getJson<ReadonlyArray<{ addresses: ReadonlyArray<string> }>>(`${api}/v1/peers`)))
  const listen = new Set(peers.flat().flatMap((p) => p.addresses))
  const dataDir = join(options.baseDir, "follower")
  const url = apiUrlOnceWritten(dataDir)
  const proc = Bun.spawn({
    cmd: [
      process.execPath,
      mainEntry,
      "--data-dir",
      dataDir,
      "--api-listen",
      "127.0.0.1:0",
      "--workers",
      String(options.workers),
      "--set",
      "p2p.listen=/ip4/127.0.0.1/tcp/0",
      "--set",
      `p2p.bootstrap=${[...listen].join(",")}`,
      ...options.nodeArgs,
    ],
    cwd: repoRoot,
    env: { ...process.env, QUILBUN_ENGINE_GENESIS_PROVERS: members.map((m) => m.proverPublicKey).join(",") },
    stdin: "ignore",
    stdout: "ignore",
    stderr: options.log === undefined ? "ignore" : Bun.file(options.log),
  })
  return {
    proc,
    url: () => {
      if (proc.exitCode !== null) throw new Error(`the late node exited ${proc.exitCode}`)
      return url()
    },
    members,
  }
}
