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
// step) is outside the flag; there its Effect Clock and Random refuse the same way (isolation.ts).
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

const refuse = (what: string) => (): never => {
  throw new NondeterminismRefused(what)
}

const realClock = Clock.make()

/** The fiber part of an operation: its Effect Clock tells no time (sleeping still works, so the budget can end a sleeper). */
const refusingClock: Clock.Clock = {
  [Clock.ClockTypeId]: Clock.ClockTypeId,
  unsafeCurrentTimeMillis: refuse("Clock.currentTimeMillis"),
  unsafeCurrentTimeNanos: refuse("Clock.currentTimeNanos"),
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
