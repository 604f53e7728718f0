// How the soak's own steps fail. A fault the soak injects is not an error; these are the soak being
// unable to do its work (a node never came up, the deploy never committed) or a node answering badly.
import { Data } from "effect"

/** The node's API did not answer (down, stalled, or the request timed out). */
export class NodeUnreachable extends Data.TaggedError("NodeUnreachable")<{ readonly url: string; readonly reason: string }> {}

/** The node answered with an unexpected HTTP status. */
export class NodeRefused extends Data.TaggedError("NodeRefused")<{ readonly url: string; readonly status: number }> {}

/** The node answered 2xx with a body that is not what the API documents. */
export class BadAnswer extends Data.TaggedError("BadAnswer")<{ readonly url: string; readonly reason: string }> {}

export type ApiError = NodeUnreachable | NodeRefused | BadAnswer

/** The soak could not reach the state it needs before or after the faults (startup, deploy, settle). */
export class SoakSetupFailed extends Data.TaggedError("SoakSetupFailed")<{ readonly reason: string }> {}
