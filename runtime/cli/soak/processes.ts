// What the soak asks the operating system about the processes it saw: resident memory (sampled with
// `ps`, which Linux and macOS both have) and whether a pid is gone. A zombie (exited, not yet reaped by
// its new parent) counts as gone: it holds no memory, no port and no lock.
import { readFileSync } from "node:fs"

/** RSS in KiB of each pid that is still running; missing pids are simply absent. */
export const residentKib = (pids: ReadonlyArray<number>): ReadonlyMap<number, number> => {
  const out = new Map<number, number>()
  if (pids.length === 0) return out
  const ps = Bun.spawnSync({ cmd: ["ps", "-o", "pid=,rss=", "-p", pids.join(",")], stdout: "pipe", stderr: "ignore" })
  for (const line of ps.stdout.toString().split("\n")) {
    const [pid, rss] = line.trim().split(/\s+/).map(Number)
    if (pid !== undefined && rss !== undefined && Number.isFinite(pid) && Number.isFinite(rss)) out.set(pid, rss)
  }
  return out
}

const isZombie = (pid: number): boolean => {
  try {
    // /proc/<pid>/stat: "pid (comm) S ..." — the state follows the last ")".
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8")
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) === "Z"
  } catch {
    return false
  }
}

export const isRunning = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
  } catch {
    return false
  }
  return !isZombie(pid)
}

/** Sends a signal, ignoring a pid that is already gone. */
export const signal = (pid: number, sig: NodeJS.Signals): void => {
  try {
    process.kill(pid, sig)
  } catch {
    // already gone
  }
}
