// What a supervisor needs from a child (an actor or a nested supervisor). A node outlives its
// incarnations: its path, mailbox and counters survive restarts; `dispose` ends it for good.
import type { Duration, Effect, Schedule } from "effect"
import type { ActorSnapshot, ChildKind, NodeStatus } from "./snapshot.ts"

export interface Intensity {
  /** At most this many restarts ... */
  readonly maxRestarts: number
  /** ... within this window; one more and the supervisor gives up and escalates. */
  readonly within: Duration.DurationInput
}

/** Restart policy of one child. */
export interface ChildOptions {
  readonly kind?: ChildKind
  /** Delay before each restart; when the schedule ends the supervisor gives up. */
  readonly backoff?: Schedule.Schedule<unknown, unknown>
  readonly intensity?: Intensity
  /** How long a graceful stop may take before the child is interrupted. */
  readonly shutdownTimeout?: Duration.DurationInput
}

export interface ChildNode {
  readonly path: string
  readonly name: string
  readonly options: ChildOptions
  status: NodeStatus
  restarts: number
  lastFailure: string | null
  /**
   * One incarnation: succeeds on a normal stop, fails (any cause) on a crash. Calls `onStarted` once
   * initialised (an actor's init done / a supervisor's children started) so starts can be sequential.
   */
  readonly incarnation: (onStarted: () => void) => Effect.Effect<void, unknown>
  /** Called by the supervisor right before it forks an incarnation (clears a previous stop request). */
  readonly beforeStart: () => void
  /** Ask the running incarnation to end after its current message. */
  readonly requestStop: () => void
  /** End for good: fail queued asks with ActorStopped, refuse new messages. Idempotent. */
  readonly dispose: () => void
  readonly restarted: () => void
  readonly snapshot: () => ActorSnapshot
}
