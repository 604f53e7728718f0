// `bun run node`: the master process. Stop signals are handled from the first moment (loading the
// node's modules takes seconds; a SIGTERM then must not kill by default), then the master runs
// (node/run-master.ts): config (exit 2 with one line on stderr when it is invalid), the data-dir
// lock (exit 1 with `data dir <path> is in use by pid <n>` when another master has it), the
// layer graph until a stop signal, exit 0.
import { installStopSignals } from "./stop-signals.ts"

let stop: (() => void) | undefined
let stoppedEarly = false
const signals = installStopSignals(() => {
  if (stop === undefined) stoppedEarly = true
  else stop()
})
const { runMaster } = await import("./run-master.ts")
// Nothing was prepared yet, so there is nothing to release.
if (stoppedEarly) process.exit(0)
stop = runMaster(signals)
