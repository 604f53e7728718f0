// No clock and no randomness inside an operation (DECISIONS D-EXEC-24, plugins/README.md "Isolation"):
// while the host runs an intrinsic's validate/apply synchronously, Date.now, performance.now,
// Math.random, crypto.getRandomValues and crypto.randomUUID throw `NondeterminismRefused`, so an
// operation that reads them fails the same way on every node (reason `nondeterministic`) instead of
// computing a different state on each.
//
// Why refuse rather than answer a frame-derived value: a fake clock or a seeded generator would
// look like time and randomness to the author and be neither (every node, and any attacker, knows
// the "random" value in advance); a refusal names the mistake at the first test. Why a flag rather
// than swapping the functions per call: the guards are installed once (before any plugin module is
// imported, so a reference a plugin takes at import time is the guarded one), and entering or leaving
// plugin code is one boolean store — nothing on the hot path allocates or reshapes a builtin.
//
// `new Date()` cannot be guarded without replacing the global Date constructor (which breaks
// `instanceof Date` for every Date made before), so the load-time source check refuses it instead
// (runtime/node/plugin-sources.ts). Code a plugin runs on the worker fiber (after an asynchronous
// step) is outside the flag; there its Effect Clock's time reads and Random refuse (isolation.ts).
// The node's services in ctx.crypto run outside the window (`hostCalls`).
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Random from "effect/Random"

/** What an intrinsic's validate/apply may not read. */
export class NondeterminismRefused extends Error {
  constructor(readonly what: string) {
    super(
      `${what} is not available to intrinsics: replay must compute the same state on every node (use ctx.frameNumber, or values derived from the operation and state)`,
    )
    this.name = "NondeterminismRefused"
  }
}

/**
 * The host's monotonic clock, taken when this module loads — before `installDeterminismGuard` can wrap
 * `performance.now` — so node code that runs inside the plugin window (the loop meter's ticks) reads
 * the real clock whenever its own module was first loaded.
 */
export const hostNow: () => number = performance.now.bind(performance)

/** True while the host runs plugin code synchronously (isolation.ts `settle`). */
const state = { inPlugin: false, installed: false }

/** Marks the start of synchronous plugin code; returns whether it was already marked (nested calls keep it). */
export const enterPlugin = (): boolean => {
  const was = state.inPlugin
  state.inPlugin = true
  return was
}

/** Restores the mark `enterPlugin` returned. */
export const leavePlugin = (was: boolean): void => {
  state.inPlugin = was
}

export const insidePlugin = (): boolean => state.inPlugin

// Replaces `holder[key]` by a wrapper that refuses inside plugin code and calls the original
// otherwise. No rest parameters: the host's own Date.now (its clock) goes through this per operation.
const guard = (holder: object, key: string, what: string): void => {
  const original: unknown = Reflect.get(holder, key)
  if (typeof original !== "function") return
  const guarded = function (this: unknown, a?: unknown): unknown {
    if (state.inPlugin) throw new NondeterminismRefused(what)
    return original.call(this, a)
  }
  Object.defineProperty(holder, key, { value: guarded, writable: true, configurable: true, enumerable: false })
}

/**
 * Installs the guards once per process. Called by the plugin loader before it imports a plugin and
 * by ExecutionLive, so embedded hosts and tests are guarded too.
 */
export const installDeterminismGuard = (): void => {
  if (state.installed) return
  state.installed = true
  guard(Date, "now", "Date.now")
  guard(Math, "random", "Math.random")
  if (typeof performance !== "undefined") guard(performance, "now", "performance.now")
  if (typeof crypto !== "undefined") {
    guard(crypto, "getRandomValues", "crypto.getRandomValues")
    guard(crypto, "randomUUID", "crypto.randomUUID")
  }
}

/**
 * The host services a plugin calls (`ctx.crypto`) are the node's code, not the plugin's: they may read
 * the clock (an `Effect.runSync` stamps its fiber with Date.now), so each call runs outside the plugin
 * window and restores it after. Wrapped once per services object (the executor's config), not per call.
 */
export const hostCalls = <T extends object>(services: T): T => {
  const out: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(services)) {
    if (typeof value !== "function") {
      out[key] = value
      continue
    }
    const call = value as (...args: Array<unknown>) => unknown
    out[key] = (...args: Array<unknown>): unknown => {
      const was = state.inPlugin
      state.inPlugin = false
      try {
        return call(...args)
      } finally {
        state.inPlugin = was
      }
    }
  }
  return out as T
}

const refuse = (what: string) => (): never => {
  throw new NondeterminismRefused(what)
}

const realClock = Clock.make()

/**
 * The fiber part of an operation: its Effect Clock tells no time through `Clock.currentTimeMillis` /
 * `currentTimeNanos` (what code asks for the time with). The unsafe reads stay real: the runtime stamps
 * log lines with them, and a plugin may log; sleeping still works, so the budget can end a sleeper.
 */
const refusingClock: Clock.Clock = {
  [Clock.ClockTypeId]: Clock.ClockTypeId,
  unsafeCurrentTimeMillis: () => realClock.unsafeCurrentTimeMillis(),
  unsafeCurrentTimeNanos: () => realClock.unsafeCurrentTimeNanos(),
  currentTimeMillis: Effect.sync(refuse("Clock.currentTimeMillis")),
  currentTimeNanos: Effect.sync(refuse("Clock.currentTimeNanos")),
  sleep: (duration) => realClock.sleep(duration),
}

/** …and its Effect Random gives no numbers. */
const refusingRandom: Random.Random = {
  [Random.RandomTypeId]: Random.RandomTypeId,
  next: Effect.sync(refuse("Random.next")),
  nextBoolean: Effect.sync(refuse("Random.nextBoolean")),
  nextInt: Effect.sync(refuse("Random.nextInt")),
  nextRange: () => Effect.sync(refuse("Random.nextRange")),
  nextIntBetween: () => Effect.sync(refuse("Random.nextIntBetween")),
  shuffle: () => Effect.sync(refuse("Random.shuffle")),
}

/** Runs `effect` (an operation's fiber part) with a Clock and a Random that refuse. */
export const withoutClockAndRandom = <A, E>(effect: Effect.Effect<A, E>): Effect.Effect<A, E> =>
  Effect.withRandom(Effect.withClock(effect, refusingClock), refusingRandom)
