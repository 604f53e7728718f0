// A small actor every node process runs (/<root>/probe): it echoes, counts, and reports which
// process it lives in. Tests and the IPC benchmark use it to prove refs work across the process
// boundary; operators can use it to check an actor system end to end.
import { Effect, Schema } from "effect"
import { Actor, Protocol } from "../kernel/index.ts"

export class Echo extends Schema.TaggedRequest<Echo>()("Echo", {
  payload: { value: Schema.Unknown },
  success: Schema.Unknown,
  failure: Schema.Never,
}) {}

export class Where extends Schema.TaggedRequest<Where>()("Where", {
  payload: {},
  success: Schema.Struct({ pid: Schema.Int, core: Schema.Int, counted: Schema.Int }),
  failure: Schema.Never,
}) {}

class ProbeRefused extends Schema.TaggedError<ProbeRefused>()("ProbeRefused", { reason: Schema.String }) {}

/** Fails with the declared ProbeRefused (the actor keeps running). */
export class Refuse extends Schema.TaggedRequest<Refuse>()("Refuse", {
  payload: { reason: Schema.String },
  success: Schema.Void,
  failure: ProbeRefused,
}) {}

export class Count extends Schema.TaggedClass<Count>()("Count", {}) {}

export const ProbeProtocol = Protocol.make("Probe", Echo, Where, Refuse, Count)

export const PROBE_NAME = "probe"

export const probeActor = (core: number) =>
  Actor.make(PROBE_NAME, ProbeProtocol, {
    init: () => Effect.succeed(0),
    handlers: {
      Echo: (n, m) => Effect.succeed([n, m.value] as const),
      Where: (n) => Effect.succeed([n, { pid: process.pid, core, counted: n }] as const),
      Refuse: (_n, m) => Effect.fail(new ProbeRefused({ reason: m.reason })),
      Count: (n) => Effect.succeed(n + 1),
    },
  })

export type ProbeMessage = Echo | Where | Refuse | Count
