// Typed failures of calls across a process boundary.
import { Data } from "effect"

/** The worker process behind a call went away (exit, kill, lost pipe) before answering. */
export class WorkerCrashed extends Data.TaggedError("WorkerCrashed")<{
  readonly core: number
  readonly exitCode: number | null
  readonly signal: string | null
}> {
  override get message(): string {
    return `worker ${this.core} ended (exit code ${this.exitCode ?? "-"}, signal ${this.signal ?? "-"})`
  }
}

/** The worker is not running right now (starting, restarting, or given up) and did not come back in time. */
export class WorkerUnavailable extends Data.TaggedError("WorkerUnavailable")<{
  readonly core: number
  readonly state: string
}> {
  override get message(): string {
    return `worker ${this.core} is ${this.state}`
  }
}

/** The other side answered with a failure; `error` is its encoded form (see encodeFailure). */
export class RemoteFailure extends Data.TaggedError("RemoteFailure")<{
  readonly core: number
  readonly tag: string
  readonly error: EncodedFailure
}> {
  override get message(): string {
    return `worker ${this.core} ${this.tag}: ${this.error._tag}: ${this.error.message}`
  }
}

/** A failure as it crosses the wire: the error's tag, message and its plain fields. */
export interface EncodedFailure {
  readonly _tag: string
  readonly message: string
  readonly fields?: Readonly<Record<string, unknown>>
}
