// After shutdown, every process the soak saw (masters and workers, across every restart) must be gone.
// Workers exit when their master's IPC channel closes, which takes a moment: a pid still running after
// the grace period is an orphan. Orphans are reported, then killed so the soak leaves nothing behind.
import { Effect } from "effect"
import type { SeenProcess } from "./cluster.ts"
import { isRunning, signal } from "./processes.ts"

const GRACE_MS = 5_000

export const collectOrphans = (seen: ReadonlyArray<SeenProcess>): Effect.Effect<ReadonlyArray<SeenProcess>> =>
  Effect.gen(function* () {
    const deadline = Date.now() + GRACE_MS
    let left = seen.filter((p) => isRunning(p.pid))
    while (left.length > 0 && Date.now() < deadline) {
      yield* Effect.sleep(200)
      left = left.filter((p) => isRunning(p.pid))
    }
    for (const p of left) signal(p.pid, "SIGKILL")
    return left
  })
