// Messages between the VDF service and its solver Worker (a thread boundary, so Schema-checked).
import { Schema } from "effect"

export const Engine = Schema.Literal("native", "typescript")
export type Engine = typeof Engine.Type

/** Hands the Worker the shared cancel slot the TypeScript prover polls. */
const InitRequest = Schema.TaggedStruct("Init", {
  cancelFlag: Schema.instanceOf(SharedArrayBuffer),
})

export const SolveRequest = Schema.TaggedStruct("Solve", {
  solveId: Schema.Int,
  engine: Engine,
  challenge: Schema.Uint8ArrayFromSelf,
  iterations: Schema.Int,
  multi: Schema.optional(Schema.Struct({ ids: Schema.Array(Schema.Uint8ArrayFromSelf), index: Schema.Int })),
})
export type SolveRequest = typeof SolveRequest.Type

export const WorkerRequest = Schema.Union(InitRequest, SolveRequest)

const Solved = Schema.TaggedStruct("Solved", { solveId: Schema.Int, output: Schema.Uint8ArrayFromSelf })
const SolveFailed = Schema.TaggedStruct("SolveFailed", {
  solveId: Schema.Int,
  kind: Schema.Literal("input", "cancelled", "internal"),
  reason: Schema.String,
})
export const WorkerResponse = Schema.Union(Solved, SolveFailed)
export type WorkerResponse = typeof WorkerResponse.Type
