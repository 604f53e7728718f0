// The loop meter (plugins/README.md "Isolation", DECISIONS D-EXEC-27): a synchronous `while (true)`
// in plugin code never yields, so the frame executor's watchdog (a fiber) never runs and the worker
// hangs. The node therefore loads plugin code instrumented (runtime/node/plugin-metering.ts): every
// loop body and every function body starts with a call to `meterTick`. While the host runs plugin
// code it arms the meter with the operation's budget; a tick past the deadline throws
// `BudgetExceeded`, and keeps throwing on every later tick until the host disarms — so a plugin that
// catches the throw inside a loop meets it again at the next loop head or call, and the stack
// unwinds to the host, which fails the bundle with `timeout`. Disarmed, a tick is one comparison.
//
// One meter per process: a node's worker runs one execution actor, which handles one message at a
// time, and synchronous plugin code never interleaves with anything. Where several hosts share a
// process (the in-process Testnet kit), a plugin's code resumed on a fiber after an asynchronous step
// may find the meter re-armed or disarmed by another host; the watchdog still holds that code's
// asynchronous part.

// The real clock even inside the plugin window (determinism.ts `hostNow`): the guarded
// performance.now would refuse there, and a plugin catching that refusal would spin forever.
import { hostNow as clock } from "./determinism.ts"

/** Thrown by a tick once the armed budget has passed. */
export class BudgetExceeded extends Error {
  constructor(readonly budgetMs: number) {
    super(`operation exceeded its ${budgetMs} ms budget`)
    this.name = "BudgetExceeded"
  }
}

/** Ticks between clock reads: a read costs far more than a tick. */
const CHECK_EVERY = 1024

const meter = { deadline: 0, budgetMs: 0, count: 0, over: false }

/** Arms the meter: plugin code that keeps running more than `budgetMs` from now is stopped. */
export const armMeter = (budgetMs: number): void => {
  meter.deadline = clock() + budgetMs
  meter.budgetMs = budgetMs
  meter.count = 0
  meter.over = false
}

export const disarmMeter = (): void => {
  meter.deadline = 0
  meter.over = false
}

/** Called by instrumented plugin code at every loop iteration and function entry. @public (imported by generated code) */
export const meterTick = (): void => {
  if (meter.deadline === 0) return
  if (meter.over) throw new BudgetExceeded(meter.budgetMs)
  if (++meter.count < CHECK_EVERY) return
  meter.count = 0
  if (clock() > meter.deadline) {
    meter.over = true
    throw new BudgetExceeded(meter.budgetMs)
  }
}
