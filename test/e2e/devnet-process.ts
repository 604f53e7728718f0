// `bun run devnet` as a child process for the e2e tests: start it on a base dir, wait for its one line
// per node, read every node's committed head, stop it with a signal.
import { join } from "node:path"
import { getJson, pollUntil, repoRoot } from "./node-process.ts"

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

/** `devnetArgs` go to the devnet itself (e.g. `--shards 2`), `nodeArgs` to every node. */
export const spawnDevnet = (nodes: number, baseDir: string, nodeArgs: ReadonlyArray<string> = [], devnetArgs: ReadonlyArray<string> = []): RunningDevnet => {
  const proc = Bun.spawn({
    cmd: [process.execPath, join(repoRoot, "runtime/cli/devnet/main.ts"), "--nodes", String(nodes), "--base-dir", baseDir, ...devnetArgs, "--", ...nodeArgs],
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
