// Stops under any signal (issue 12, item 6), against the real `bun run node` process: a second
// SIGTERM during shutdown is ignored (noted once) and the stop still ends in exit 0 with no worker
// left; SIGHUP is a clean stop (the node logs to stderr, so there is no log file to reopen);
// `bun run node` signalled as a whole process group (a service manager's stop) exits 0; a
// stalled worker (SIGSTOP) is reported unresponsive, /ready answers 503, and it is killed and
// restarted after the grace period (shortened here through --set).
import { describe, expect, test } from "bun:test"
import { existsSync } from "node:fs"
import { join } from "node:path"
import { apiUrlOnceWritten, getJson, isAlive, logLines, pollUntil, processFixture, repoRoot, waitHealthy, type WorkerRow } from "./node-process.ts"

const { tempDir, spawn } = processFixture("quilbun-signals-")
const start = (extra: ReadonlyArray<string> = []) => {
  return spawn(tempDir(), ["--workers", "1", ...extra])
}
/** `at`: a URL, or a node whose URL is known once it listens (read inside the poll). */
const runningWorkers = (at: string | { readonly url: string }) =>
  pollUntil("a running worker", 15_000, async () => {
    const ws = await getJson<ReadonlyArray<WorkerRow>>(`${typeof at === "string" ? at : at.url}/v1/workers`)
    return ws.length > 0 && ws.every((w) => w.state === "running") ? ws : undefined
  })
const messages = (output: string) => logLines(output).map((l) => String(l.message))

describe("signals (real process)", () => {
  test("SIGTERM three times, 0.3 s apart: one stop, noted once, exit 0, no worker left", async () => {
    const node = start()
    const workers = await runningWorkers(node)
    node.proc.kill("SIGTERM")
    await Bun.sleep(300)
    node.proc.kill("SIGTERM")
    await Bun.sleep(300)
    node.proc.kill("SIGINT")
    expect(await node.proc.exited).toBe(0)
    const said = messages(node.output())
    expect(said).toContain("node stopped")
    expect(said.filter((m) => m === "stop requested")).toHaveLength(1)
    expect(said.filter((m) => m === "already stopping; ignoring further signals")).toHaveLength(1)
    expect(workers.some((w) => isAlive(w.pid ?? 0))).toBe(false)
  }, 30_000)

  test("SIGHUP is a clean stop: exit 0, admin-api.url and the lock removed", async () => {
    const node = start()
    await runningWorkers(node)
    expect(existsSync(join(node.dataDir, "admin-api.url"))).toBe(true)
    node.proc.kill("SIGHUP")
    expect(await node.proc.exited).toBe(0)
    expect(messages(node.output())).toContain("node stopped")
    expect(existsSync(join(node.dataDir, "admin-api.url"))).toBe(false)
    expect(existsSync(join(node.dataDir, "node.lock"))).toBe(false)
  }, 30_000)

  test("`bun run node` stopped by a SIGTERM to its whole process group exits 0", async () => {
    const dataDir = tempDir()
    const boundUrl = apiUrlOnceWritten(dataDir)
    const proc = Bun.spawn({
      cmd: [process.execPath, "run", "node", "--data-dir", dataDir, "--api-listen", "127.0.0.1:0", "--workers", "1", "--log-format", "json"],
      cwd: repoRoot,
      env: { ...process.env, QUILBUN_LOG_LEVEL: "info" },
      detached: true, // its own process group, as a service manager runs it
      stdin: "ignore",
      stdout: "ignore",
      stderr: "pipe",
    })
    try {
      const url = await pollUntil("the admin API's URL", 15_000, boundUrl)
      await waitHealthy(url)
      const workers = await runningWorkers(url)
      // bun run forwards the signal to the master, which then gets it twice.
      process.kill(-proc.pid, "SIGTERM")
      const [code, log] = await Promise.all([proc.exited, new Response(proc.stderr).text()])
      expect(code).toBe(0)
      expect(messages(log)).toContain("node stopped")
      expect(workers.some((w) => isAlive(w.pid ?? 0))).toBe(false)
    } finally {
      proc.kill("SIGKILL")
    }
  }, 30_000)

  test("a stalled worker (SIGSTOP): unresponsive, /ready 503 with the reason, then killed and restarted", async () => {
    const node = start([
      "--set",
      "workerLiveness.intervalMs=250",
      "--set",
      "workerLiveness.unresponsiveAfterMs=1500",
      "--set",
      "workerLiveness.restartAfterMs=4000",
    ])
    const [before] = await runningWorkers(node)
    const pid = before?.pid ?? 0
    expect((await fetch(`${node.url}/ready`)).status).toBe(200)
    process.kill(pid, "SIGSTOP")
    try {
      await pollUntil("worker 1 unresponsive", 5_000, async () => {
        const ws = await getJson<ReadonlyArray<WorkerRow>>(`${node.url}/v1/workers`)
        return ws[0]?.state === "unresponsive" ? true : undefined
      })
      const ready = await fetch(`${node.url}/ready`)
      expect(ready.status).toBe(503)
      expect(await ready.json()).toMatchObject({ reasons: ["worker 1 is unresponsive"] })
      const after = await pollUntil("worker 1 restarted", 15_000, async () => {
        const ws = await getJson<ReadonlyArray<WorkerRow>>(`${node.url}/v1/workers`)
        const w = ws[0]
        return w !== undefined && w.state === "running" && w.restarts === 1 ? w : undefined
      })
      expect(after.pid).not.toBe(pid)
      expect(isAlive(pid)).toBe(false)
      expect((await fetch(`${node.url}/ready`)).status).toBe(200)
      expect(messages(node.output())).toContain("data worker unresponsive too long; killing it")
    } finally {
      if (isAlive(pid)) process.kill(pid, "SIGKILL")
    }
    node.proc.kill("SIGTERM")
    expect(await node.proc.exited).toBe(0)
  }, 40_000)
})
