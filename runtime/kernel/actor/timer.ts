// Ask deadlines without a timer per ask. `Effect.timeout` forks two fibers per call (about 7x the
// cost of the ask itself), so the system keeps one timer fiber. Deadlines live in FIFO lanes keyed by
// timeout length: within a lane they never decrease, so each lane's head is its earliest deadline and
// registering is O(1). The fiber sleeps on the system's Clock (TestClock in tests) until the earliest
// live deadline; it is only re-armed when a shorter lane appears or it was idle.
import { Duration, Effect, Exit } from "effect"
import type { Clock } from "effect"
import { AskTimeout } from "./errors.ts"
import type { AskEnvelope } from "./ref.ts"

interface Lane {
  items: Array<AskEnvelope>
  head: number
  compactAt: number
}

const MIN_COMPACT = 1024

export class DeadlineTimer {
  private readonly lanes = new Map<number, Lane>()
  /** Deadline the fiber currently sleeps toward (Infinity when idle). */
  private armed = Number.POSITIVE_INFINITY
  private wake: ((effect: Effect.Effect<void>) => void) | undefined = undefined
  /** An earlier deadline arrived before the wake-up callback was registered (race setup window). */
  private rearm = false
  /** The timer fiber's loop; fork it once, in the system scope. */
  readonly run: Effect.Effect<never>

  constructor(readonly clock: Clock.Clock) {
    const waitWake = Effect.async<void>((resume) => {
      if (this.rearm) {
        this.rearm = false
        resume(Effect.void)
        return
      }
      this.wake = resume
      return Effect.sync(() => {
        if (this.wake === resume) this.wake = undefined
      })
    })
    const loop: Effect.Effect<never> = Effect.suspend(() => {
      this.rearm = false
      const now = clock.unsafeCurrentTimeMillis()
      const earliest = this.expireDue(now)
      this.armed = earliest
      if (earliest === Number.POSITIVE_INFINITY) return Effect.flatMap(waitWake, () => loop)
      return Effect.flatMap(Effect.raceFirst(clock.sleep(Duration.millis(earliest - now)), waitWake), () => loop)
    })
    this.run = loop
  }

  /** Fail `envelope`'s ask with AskTimeout unless it is settled before `millis` from now. */
  add(envelope: AskEnvelope, millis: number): void {
    const deadline = this.clock.unsafeCurrentTimeMillis() + millis
    envelope.deadline = deadline
    envelope.timeoutMillis = millis
    let lane = this.lanes.get(millis)
    if (lane === undefined) {
      lane = { items: [], head: 0, compactAt: MIN_COMPACT }
      this.lanes.set(millis, lane)
    }
    lane.items.push(envelope)
    if (lane.items.length - lane.head >= lane.compactAt) compact(lane)
    if (deadline < this.armed) {
      this.armed = deadline
      const wake = this.wake
      if (wake !== undefined) {
        this.wake = undefined
        wake(Effect.void)
      } else {
        this.rearm = true
      }
    }
  }

  /** Expire everything due at `now`; return the earliest remaining live deadline. */
  private expireDue(now: number): number {
    let earliest = Number.POSITIVE_INFINITY
    for (const [millis, lane] of this.lanes) {
      while (lane.head < lane.items.length) {
        const envelope = lane.items[lane.head] as AskEnvelope
        if (envelope.settled) {
          lane.items[lane.head++] = undefined as unknown as AskEnvelope
          continue
        }
        if (envelope.deadline > now) {
          if (envelope.deadline < earliest) earliest = envelope.deadline
          break
        }
        lane.items[lane.head++] = undefined as unknown as AskEnvelope
        envelope.settle(Exit.fail(new AskTimeout({ path: envelope.path, tag: envelope.message._tag, timeoutMillis: millis })))
      }
      if (lane.head === lane.items.length) this.lanes.delete(millis)
      else if (lane.head > 1024 && lane.head * 2 > lane.items.length) {
        lane.items = lane.items.slice(lane.head)
        lane.head = 0
      }
    }
    return earliest
  }
}

/** Drop settled asks so a lane holds about as many entries as there are asks still waiting. */
const compact = (lane: Lane): void => {
  const live: Array<AskEnvelope> = []
  for (let i = lane.head; i < lane.items.length; i++) {
    const envelope = lane.items[i] as AskEnvelope
    if (!envelope.settled) live.push(envelope)
  }
  lane.items = live
  lane.head = 0
  lane.compactAt = Math.max(MIN_COMPACT, live.length * 2)
}
