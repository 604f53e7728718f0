// Devnet shard coverage between nodes. On a devnet nobody plans allocations (the prover registry will,
// through joins, on a real network): a node allocates a shard to a free worker when a bundle for it
// arrives. With several nodes, a shard's ring is the whole genesis committee, so every node must cover
// it, not only the one that received the first bundle. Each master therefore announces the shards its
// workers cover on a devnet channel — at once when it allocates one, and every ANNOUNCE_EVERY so that
// a node started (or restarted) later learns them — and covers every shard it hears of, while it has a
// free worker. Payload: u64 big-endian sequence ‖ the 32-byte app addresses, concatenated (at most
// MAX_SHARDS). The sequence makes every announcement a new message: pubsub ids are content hashes, so a
// repeated identical list would be dropped as a duplicate by the routers' seen caches, the sender's own
// included, and a node that joined later would never hear it.
import { bytesToHex } from "@noble/hashes/utils.js"
import { Clock, Effect, Either, Queue, Schedule, type Scope } from "effect"
import type { BitmaskPubsub } from "../network/bitmask-pubsub.ts"
import { DEVNET_SHARD_COVERAGE } from "../network/bitmask.ts"

const ADDRESS_BYTES = 32
const MAX_SHARDS = 256
const ANNOUNCE_EVERY = "5 seconds"

const SEQUENCE_BYTES = 8

export const encodeCoverage = (sequence: bigint, shards: ReadonlyArray<Uint8Array>): Uint8Array => {
  const out = new Uint8Array(SEQUENCE_BYTES + shards.length * ADDRESS_BYTES)
  new DataView(out.buffer).setBigUint64(0, sequence, false)
  for (const [i, s] of shards.entries()) out.set(s.subarray(0, ADDRESS_BYTES), SEQUENCE_BYTES + i * ADDRESS_BYTES)
  return out
}

export const decodeCoverage = (bytes: Uint8Array): Either.Either<ReadonlyArray<Uint8Array>, string> => {
  const list = bytes.length - SEQUENCE_BYTES
  if (list <= 0 || list % ADDRESS_BYTES !== 0) return Either.left(`${bytes.length} bytes is not a sequence and a list of 32-byte addresses`)
  if (list / ADDRESS_BYTES > MAX_SHARDS) return Either.left(`more than ${MAX_SHARDS} shards`)
  const shards: Array<Uint8Array> = []
  for (let at = SEQUENCE_BYTES; at < bytes.length; at += ADDRESS_BYTES) shards.push(bytes.slice(at, at + ADDRESS_BYTES))
  return Either.right(shards)
}

export interface ShardCoverageGossip {
  /** Tell the other nodes now (a shard was just allocated here). */
  readonly announce: Effect.Effect<void>
}

/**
 * Runs for the Scope: announces `covered()` periodically and calls `cover` for every announced shard
 * this node does not cover yet (`cover` decides whether a worker is free; its failures are its own).
 */
export const shardCoverageGossip = (
  pubsub: Pick<BitmaskPubsub, "subscribe" | "publish">,
  covered: () => ReadonlyArray<Uint8Array>,
  cover: (shard: Uint8Array) => Effect.Effect<void>,
): Effect.Effect<ShardCoverageGossip, never, Scope.Scope> =>
  Effect.gen(function* () {
    const heard = yield* Queue.sliding<ReadonlyArray<Uint8Array>>(64)
    const unsubscribe = yield* pubsub
      .subscribe(DEVNET_SHARD_COVERAGE, {
        validate: (m) => (Either.isRight(decodeCoverage(m.payload)) ? "accept" : "reject"),
        onMessage: (m) => {
          const shards = decodeCoverage(m.payload)
          if (Either.isRight(shards)) heard.unsafeOffer(shards.right)
        },
      })
      .pipe(Effect.orDie)
    yield* Effect.addFinalizer(() => unsubscribe)
    yield* Queue.take(heard).pipe(
      Effect.flatMap((shards) => {
        const mine = new Set(covered().map(bytesToHex))
        return Effect.forEach(
          shards.filter((s) => !mine.has(bytesToHex(s))),
          cover,
          { discard: true },
        )
      }),
      Effect.forever,
      Effect.forkScoped,
    )
    // Starts at the clock so that a restarted node does not repeat its previous run's messages.
    let sequence = BigInt(yield* Clock.currentTimeMillis)
    const announce = Effect.suspend(() => {
      const shards = covered().slice(0, MAX_SHARDS)
      return shards.length === 0 ? Effect.void : Effect.ignore(pubsub.publish(DEVNET_SHARD_COVERAGE, encodeCoverage(sequence++, shards)))
    })
    yield* announce.pipe(Effect.repeat(Schedule.spaced(ANNOUNCE_EVERY)), Effect.forkScoped)
    return { announce }
  })
