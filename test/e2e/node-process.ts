// Helpers for tests that run the real `bun runtime/node/main.ts` process.
import type { Subprocess } from "bun"
import { afterAll } from "bun:test"
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { apiUrlPath } from "../../runtime/node/api-address-file.ts"

export const repoRoot = join(import.meta.dir, "../..")
export const mainEntry = join(repoRoot, "runtime/node/main.ts")

/** Let the node bind any free port; its URL is then read from the address file it writes. Choosing a
 * port here and passing it on would race whatever else binds ports between the check and the use. */
export const ANY_PORT = 0

export interface RunningNode {
  readonly proc: Subprocess<"ignore", "pipe", "pipe">
  /** The admin API's URL; throws until the node has written it (polls retry on that). */
  readonly url: string
  readonly output: () => string
  readonly dataDir: string
}

const mtimeOf = (path: string): number | undefined => {
  try {
    return statSync(path).mtimeMs
  } catch {
    return undefined
  }
}

/**
 * The URL in `<dataDir>/admin-api.url` once this start has written it: a file left by a node killed
 * with -9 (or kept by the owner of a locked dir) is older than `previousMtime` and not taken.
 */
const boundUrl = (dataDir: string, previousMtime: number | undefined): (() => string) => {
  let url: string | undefined
  return () => {
    if (url !== undefined) return url
    const path = apiUrlPath(dataDir)
    const mtime = mtimeOf(path)
    if (mtime === undefined || (previousMtime !== undefined && mtime <= previousMtime)) {
      throw new Error(`the node has not written ${path} yet`)
    }
    // The node writes "<url>\n" in one call; a reader can still catch the file created but empty.
    const text = readFileSync(path, "utf8")
    if (!text.endsWith("\n")) throw new Error(`${path} is not completely written yet`)
    url = text.trim()
    return url
  }
}

/** For a node started by hand with `--api-listen 127.0.0.1:0`: call before starting it; the thunk
 * returns its URL once written (and throws until then). */
export const apiUrlOnceWritten = (dataDir: string): (() => string) => boundUrl(dataDir, mtimeOf(apiUrlPath(dataDir)))

export const spawnNode = (dataDir: string, port: number, extra: ReadonlyArray<string> = []): RunningNode => {
  const previousMtime = mtimeOf(apiUrlPath(dataDir))
  const proc = Bun.spawn({
    cmd: [process.execPath, mainEntry, "--data-dir", dataDir, "--api-listen", `127.0.0.1:${port}`, "--workers", "2", "--log-format", "json", ...extra],
    cwd: repoRoot,
    env: { ...process.env, QUILBUN_LOG_LEVEL: "info" },
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  })
  let text = ""
  const drain = async (stream: ReadableStream<Uint8Array>) => {
    const decoder = new TextDecoder()
    for await (const chunk of stream) text += decoder.decode(chunk)
  }
  void drain(proc.stdout)
  void drain(proc.stderr)
  const url = port === ANY_PORT ? boundUrl(dataDir, previousMtime) : () => `http://127.0.0.1:${port}`
  return {
    proc,
    get url() {
      return url()
    },
    output: () => text,
    dataDir,
  }
}

/** Polls `check` until it returns a value (not undefined) or the deadline passes. */
export const pollUntil = async <A>(what: string, ms: number, check: () => Promise<A | undefined> | A | undefined): Promise<A> => {
  const deadline = Date.now() + ms
  let lastError: unknown
  while (Date.now() < deadline) {
    try {
      const value = await check()
      if (value !== undefined) return value
    } catch (e) {
      lastError = e
    }
    await Bun.sleep(50)
  }
  throw new Error(`timed out after ${ms} ms waiting for ${what}${lastError === undefined ? "" : `: ${String(lastError)}`}`)
}

export const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

export interface WorkerRow {
  readonly core: number
  readonly pid: number | null
  readonly state: string
  readonly restarts: number
  readonly uptimeMs: number
}

export const getJson = async <A>(url: string): Promise<A> => {
  const res = await fetch(url)
  if (!res.ok) throw new Error(`${url}: ${res.status}`)
  return (await res.json()) as A
}

/** Resolves once `<url>/health` answers 200; a node's URL is read inside the poll (it is known once the node listens). */
export const waitHealthy = (target: string | { readonly url: string }, ms = 15_000): Promise<true> =>
  pollUntil(`${typeof target === "string" ? target : "the node"}/health`, ms, async () => {
    const url = typeof target === "string" ? target : target.url
    return (await fetch(`${url}/health`)).ok ? true : undefined
  })

/** The JSON log lines of a node's output (other lines skipped). */
export const logLines = (output: string): ReadonlyArray<Record<string, unknown>> =>
  output.split("\n").flatMap((line) => {
    if (!line.startsWith("{")) return []
    try {
      return [JSON.parse(line) as Record<string, unknown>]
    } catch {
      return []
    }
  })

/** Runs the node (workers 1, fast frames) on `dataDir` until the committed head reaches `frames`, then SIGTERMs it. */
export const runChain = async (dataDir: string, frames: number, extra: ReadonlyArray<string> = []): Promise<string> => {
  const node = spawnNode(dataDir, ANY_PORT, ["--workers", "1", "--set", "engine.difficulty=100", ...extra])
  try {
    // generous: the first frame takes seconds on an idle machine, much longer on a loaded one
    await pollUntil(`head >= ${frames}`, 60_000, async () => {
      const head = await getJson<{ readonly frameNumber: number }>(`${node.url}/v1/frames/global/head`)
      return head.frameNumber >= frames ? head : undefined
    })
  } finally {
    node.proc.kill("SIGTERM")
    await node.proc.exited
  }
  return node.output()
}

/** Exit of a node expected to stop on its own; SIGKILLed (and reported as such) after `ms`. */
export const exitOf = async (
  node: RunningNode,
  ms: number,
): Promise<{ readonly code: number | null; readonly signal: string | null; readonly output: string }> => {
  const timer = setTimeout(() => node.proc.kill("SIGKILL"), ms)
  await node.proc.exited
  clearTimeout(timer)
  // the drains finish with the pipes, just after the exit
  await Bun.sleep(20)
  return { code: node.proc.exitCode, signal: node.proc.signalCode === null ? null : String(node.proc.signalCode), output: node.output() }
}

/** Runs the node (workers 1) on `dataDir` until /health answers and a few heartbeats are committed, then SIGTERMs it. */
export const runBriefly = async (dataDir: string): Promise<void> => {
  const node = spawnNode(dataDir, ANY_PORT, ["--workers", "1"])
  try {
    await waitHealthy(node, 60_000)
    await pollUntil("a running worker", 30_000, async () => {
      const ws = await getJson<ReadonlyArray<WorkerRow>>(`${node.url}/v1/workers`)
      return ws.every((w) => w.state === "running") ? true : undefined
    })
    await Bun.sleep(2_000)
  } finally {
    node.proc.kill("SIGTERM")
    await node.proc.exited
  }
}

/** One test file's temp dirs and node processes: the processes are killed and the dirs removed after the file. */
export const processFixture = (prefix: string) => {
  const dirs: Array<string> = []
  const spawned: Array<RunningNode> = []
  afterAll(() => {
    for (const n of spawned) n.proc.kill("SIGKILL")
    for (const d of dirs) rmSync(d, { recursive: true, force: true })
  })
  return {
    tempDir: (): string => {
      const dir = mkdtempSync(join(tmpdir(), prefix))
      dirs.push(dir)
      return dir
    },
    spawn: (dataDir: string, extra: ReadonlyArray<string> = [], port = ANY_PORT): RunningNode => {
      const node = spawnNode(dataDir, port, extra)
      spawned.push(node)
      return node
    },
  }
}
