// The master's signal policy: SIGINT, SIGTERM and SIGHUP each ask for one clean stop; every later
// one is ignored (noted once), so a service manager that signals the whole process group, a
// `bun run` that forwards the group's signal, or an impatient double Ctrl-C cannot turn a stop
// into a kill mid-shutdown (exit 143, workers left behind). SIGHUP stops too: the node logs to
// stderr only, so there is no log file to reopen. The handlers stay for the rest of the process on
// purpose: a signal arriving while it exits must meet them, not the default action.
// Plain TypeScript without imports: runtime/node/main.ts installs it before loading anything heavy.

const STOP_SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const
export type StopSignal = (typeof STOP_SIGNALS)[number]

type StopNotice = (level: "info" | "warning", message: string, signal: StopSignal) => void

export interface StopSignals {
  /** Where notices go from now on (the node's logger, once it is built). */
  readonly setNotice: (notice: StopNotice) => void
}

// Before the node's logger exists there is only stderr.
const plainNotice: StopNotice = (_level, message, signal) => void process.stderr.write(`node: ${message} (${signal})\n`)

/** Installs the handlers; `stop` runs once, on the first signal. */
export const installStopSignals = (stop: (signal: StopSignal) => void): StopSignals => {
  let notice: StopNotice = plainNotice
  let stopping = false
  let repeatNoted = false
  const onSignal = (signal: StopSignal) => {
    if (!stopping) {
      stopping = true
      notice("info", signal === "SIGHUP" ? "SIGHUP: stopping cleanly (no log file to reopen)" : "stop requested", signal)
      stop(signal)
    } else if (!repeatNoted) {
      repeatNoted = true
      notice("warning", "already stopping; ignoring further signals", signal)
    }
  }
  for (const signal of STOP_SIGNALS) process.on(signal, () => onSignal(signal))
  return {
    setNotice: (next) => {
      notice = next
    },
  }
}
