// Prover lifecycle requests in global frames (consensus.md §8.3, §4.7; D-GC-19). Each is wrapped the way
// the reference's clients send them, `MessageBundle{[MessageRequest{op}], timestamp}`:
//   u32 0x0312 ‖ u32 1 ‖ u32 len ‖ (u32 0x0311 ‖ u32 len ‖ op) ‖ i64 timestamp
// where op is the canonical lifecycle operation (type prefixes 0x0301–0x0308, intrinsics/global). A frame
// carries its ProverShardUpdates first, then its lifecycle requests. Every validator checks that shape and
// that each operation decodes; whether it applies is decided, identically on every node, when the frame is
// committed (the prover registry skips a refused request, as the reference skips failed requests, §4.7).
import { Effect, Either } from "effect"
import {
  decodeLifecycleOp,
  PROVER_CONFIRM,
  PROVER_JOIN,
  PROVER_LEAVE,
  PROVER_PAUSE,
  PROVER_REJECT,
  PROVER_RESUME,
  PROVER_UPDATE,
} from "../../../intrinsics/global/index.ts"
import type { CanonicalDecodeError } from "../core/canonical/decode-error.ts"
import { decodeWhole } from "../core/canonical/reader.ts"
import { TypePrefix } from "../core/canonical/type-prefix.ts"
import { CanonicalWriter } from "../core/canonical/writer.ts"
import { BadShardUpdate } from "../core/frame-rejection.ts"

const LIFECYCLE_TYPES: ReadonlySet<number> = new Set([PROVER_JOIN, PROVER_LEAVE, PROVER_PAUSE, PROVER_RESUME, PROVER_CONFIRM, PROVER_REJECT, PROVER_UPDATE])

/** At most this many lifecycle requests per global frame (the reference's collector keeps 100 records per rank, §4.7). */
export const MAX_LIFECYCLE_REQUESTS = 100
/** A join with 100 filters and their proofs stays below this (the GlobalFrame decoder's own request bound is 75 000). */
const OP_LIMIT = 74_900

/** The global frame request for one lifecycle operation; the timestamp is the submitter's (ms, non-zero). */
export const encodeLifecycleRequest = (op: Uint8Array, timestamp: bigint): Uint8Array =>
  new CanonicalWriter(op.length + 32)
    .u32(TypePrefix.MessageBundle)
    .u32(1)
    .bytes(new CanonicalWriter(op.length + 8).u32(TypePrefix.MessageRequest).bytes(op).finish())
    .i64(timestamp)
    .finish()

const prefixOf = (b: Uint8Array): number => (((b[0] ?? 0) << 24) | ((b[1] ?? 0) << 16) | ((b[2] ?? 0) << 8) | (b[3] ?? 0)) >>> 0

/** The operation bytes of a one-request bundle whose request is a lifecycle operation (not yet decoded). */
const lifecycleOpBytes = (request: Uint8Array): Either.Either<Uint8Array, CanonicalDecodeError> =>
  decodeWhole(request, "LifecycleRequest", (r) =>
    Either.gen(function* () {
      yield* r.typePrefix(TypePrefix.MessageBundle)
      yield* r.exactCount("requests", 1, 4)
      const inner = yield* r.requiredNested("requests[0]", OP_LIMIT + 8)
      const op = yield* decodeWhole(inner, "MessageRequest", (m) =>
        Either.gen(function* () {
          yield* m.typePrefix(TypePrefix.MessageRequest)
          return yield* m.requiredNested("op", OP_LIMIT)
        }),
      )
      yield* r.i64("timestamp")
      return op
    }),
  )

const isLifecycleRequest = (request: Uint8Array): boolean => {
  const op = lifecycleOpBytes(request)
  return Either.isRight(op) && op.right.length >= 4 && LIFECYCLE_TYPES.has(prefixOf(op.right))
}

/** The operations of a frame's lifecycle requests, in request order (what the registry applies). */
export const lifecycleOpsOf = (requests: ReadonlyArray<Uint8Array>): ReadonlyArray<Uint8Array> =>
  requests.flatMap((request) => {
    if (!isLifecycleRequest(request)) return []
    const op = lifecycleOpBytes(request)
    return Either.isRight(op) ? [op.right] : []
  })

/** The index of the first lifecycle request (= the number of shard updates before it). */
export const lifecycleStart = (requests: ReadonlyArray<Uint8Array>): number => {
  const at = requests.findIndex(isLifecycleRequest)
  return at < 0 ? requests.length : at
}

/** Whether the request is a lifecycle request whose operation decodes (what a leader proposes). */
export const isProposableLifecycle = (request: Uint8Array): boolean => {
  const op = lifecycleOpBytes(request)
  return isLifecycleRequest(request) && Either.isRight(op) && Either.isRight(decodeLifecycleOp(op.right))
}

/**
 * Shard updates first, then lifecycle requests whose operations decode, at most MAX_LIFECYCLE_REQUESTS.
 * Refusals are BadShardUpdate{undecodable} with the request's index, so they travel through the frame
 * rejections the engine already records (D-GC-9).
 */
export const validateLifecycleRequests = (requests: ReadonlyArray<Uint8Array>): Effect.Effect<void, BadShardUpdate> =>
  Effect.suspend(() => {
    const start = lifecycleStart(requests)
    const bad = (index: number, detail: string) =>
      Effect.fail(new BadShardUpdate({ reason: "undecodable", index, detail: `request ${index}, lifecycle: ${detail}` }))
    if (requests.length - start > MAX_LIFECYCLE_REQUESTS) return bad(start + MAX_LIFECYCLE_REQUESTS, `more than ${MAX_LIFECYCLE_REQUESTS} lifecycle requests`)
    for (let i = start; i < requests.length; i++) {
      const request = requests[i] ?? new Uint8Array()
      if (!isLifecycleRequest(request)) return bad(i, "not a lifecycle request after a lifecycle request")
      const op = lifecycleOpBytes(request)
      const decoded = Either.flatMap(op, (bytes) => Either.mapLeft(decodeLifecycleOp(bytes), (e) => e.message))
      if (Either.isLeft(decoded)) return bad(i, String(decoded.left))
    }
    return Effect.void
  })
