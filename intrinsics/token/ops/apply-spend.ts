// What applying a spend writes (Transaction and PendingTransaction alike): each output's record with
// `create`, then each input's spent marker with `create`, so a double spend that slipped past the locks
// fails at the write (D-TOKEN-7). Answers the events the wallet scanner and subscribers read.
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import { atomId, type ExecEvent, type OpError, type StateView, type ViewError, vertex } from "../../contract/index.ts"
import { SPENT_MARKER_RECORD } from "../markers.ts"
import { invalid } from "../checks.ts"

export interface CreatedOutput {
  /** From the operation's memo; undefined only if the memo and the outputs disagree (never). */
  readonly address: Either.Either<Uint8Array, OpError> | undefined
  readonly record: Uint8Array
}

export interface SpentInput {
  /** The input record's data address (the event names it). */
  readonly address: Uint8Array
  readonly marker: Uint8Array
}

export const writeOutputsAndMarkers = (
  opType: number,
  view: StateView,
  domain: Uint8Array,
  outputs: ReadonlyArray<CreatedOutput>,
  inputs: ReadonlyArray<SpentInput>,
  kinds: { readonly created: string; readonly spent: string },
): Effect.Effect<ReadonlyArray<ExecEvent>, OpError | ViewError> =>
  Effect.gen(function* () {
    const events: Array<ExecEvent> = []
    for (const o of outputs) {
      if (o.address === undefined) return yield* Effect.fail(invalid(opType, "an output has no address"))
      if (Either.isLeft(o.address)) return yield* Effect.fail(invalid(opType, o.address.left.reason))
      const id = atomId(domain, o.address.right)
      yield* view.put(vertex(id), o.record, "create")
      events.push({ kind: kinds.created, id })
    }
    for (const i of inputs) {
      yield* view.put(vertex(i.marker), SPENT_MARKER_RECORD, "create")
      events.push({ kind: kinds.spent, id: atomId(domain, i.address), data: i.marker })
    }
    return events
  })
