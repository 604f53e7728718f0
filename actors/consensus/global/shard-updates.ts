// The master's shard-update pool actor (/root/shard-updates): data workers submit each finalized app-shard
// header with its QC; the actor checks the header is the one the QC certifies (cheap: no pairing; the
// leader and every validator verify the aggregate itself, D-GC-17) and keeps it in the pool until a
// committed global frame carries it. The global consensus asks for the pending headers when it leads.
import { bytesToHex } from "@noble/hashes/utils.js"
import { Context, Effect, Either, Layer } from "effect"
import type { PoseidonHash } from "../../../crates/ts/services.ts"
import { Poseidon } from "../../../crates/ts/services.ts"
import { Actor, ActorSystem, type ActorRef } from "../../../runtime/kernel/index.ts"
import { Store } from "../../../runtime/store/index.ts"
import { type AppFrameHeader, decodeAppFrameHeader } from "../core/messages/app-frame-header.ts"
import { bytesEqual } from "../core/messages/fields.ts"
import { decodeQuorumCertificate, type QuorumCertificate } from "../core/messages/quorum-certificate.ts"
import { committedChain } from "./committed-chain.ts"
import { DEFAULT_SHARD_UPDATE_POOL_LIMITS, ShardUpdatePool, type ShardUpdatePoolLimits } from "./shard-update-pool.ts"
import { SHARD_UPDATES_NAME, ShardUpdateRefused, type ShardUpdatesMessage, ShardUpdatesProtocol } from "./shard-updates-protocol.ts"

export type ShardUpdatesRef = ActorRef<ShardUpdatesMessage>

/** The node's shard-update pool actor, when it runs one (the master; devnets in tests). */
export class ShardUpdates extends Context.Tag("quilbun/ShardUpdates")<ShardUpdates, ShardUpdatesRef>() {}

export interface ShardUpdatesDeps {
  /** The committed global head frame number (0 at genesis). */
  readonly globalHead: Effect.Effect<bigint>
  readonly poseidon: PoseidonHash
  readonly limits?: ShardUpdatePoolLimits
}

const refused = (reason: ShardUpdateRefused["reason"], detail: string) => Effect.fail(new ShardUpdateRefused({ reason, detail }))

const sameAggregate = (header: AppFrameHeader, qc: QuorumCertificate): boolean => {
  const a = header.publicKeySignatureBls48581
  const b = qc.aggregateSignature
  if (a === undefined || b === undefined || a.publicKey === undefined || b.publicKey === undefined) return false
  return bytesEqual(a.signature, b.signature) && bytesEqual(a.publicKey, b.publicKey) && bytesEqual(a.bitmask, b.bitmask)
}

/** The header as its QC certifies it: same shard, rank, frame number and selector, and the QC's aggregate as its signature. */
const certifiedHeader = (poseidon: PoseidonHash, headerBytes: Uint8Array, qcBytes: Uint8Array) =>
  Effect.gen(function* () {
    const header = decodeAppFrameHeader(headerBytes)
    if (Either.isLeft(header)) return yield* refused("undecodable", `header: ${header.left._tag}`)
    const qc = decodeQuorumCertificate(qcBytes)
    if (Either.isLeft(qc)) return yield* refused("undecodable", `quorum certificate: ${qc.left._tag}`)
    const h = header.right
    const q = qc.right
    if (h.frameNumber === 0n) return yield* refused("genesis", "shard genesis carries no certificate")
    if (h.publicKeySignatureBls48581 === undefined || q.aggregateSignature === undefined) return yield* refused("uncertified", "no aggregate signature")
    const matches =
      bytesEqual(q.filter, h.address) &&
      q.rank === h.rank &&
      q.frameNumber === h.frameNumber &&
      h.output.length > 0 &&
      bytesEqual(q.selector, poseidon(h.output)) &&
      sameAggregate(h, q)
    if (!matches) return yield* refused("certificate-mismatch", "the QC does not certify this header")
    return h
  })

export const shardUpdatesActor = (deps: ShardUpdatesDeps) =>
  Actor.make(
    SHARD_UPDATES_NAME,
    ShardUpdatesProtocol,
    {
      init: () => Effect.succeed(new ShardUpdatePool(deps.limits ?? DEFAULT_SHARD_UPDATE_POOL_LIMITS)),
      handlers: {
        SubmitShardUpdate: (pool, m) =>
          Effect.gen(function* () {
            const header = yield* certifiedHeader(deps.poseidon, m.header, m.quorumCertificate)
            const outcome = pool.add(header)
            if (outcome === "added") {
              yield* Effect.logDebug("shard update pending").pipe(
                Effect.annotateLogs({ shard: bytesToHex(header.address), frameNumber: String(header.frameNumber), pending: pool.size }),
              )
            }
            return [pool, { outcome, globalHead: yield* deps.globalHead }] as const
          }),
        GetGlobalHead: (pool) => Effect.map(deps.globalHead, (globalHead) => [pool, { globalHead }] as const),
        PendingShardUpdates: (pool) => Effect.succeed([pool, pool.all()] as const),
        ShardUpdatesCommitted: (pool, m) =>
          Effect.sync(() => {
            for (const u of m.updates) pool.committed(u.address, u.frameNumber)
            return pool
          }),
      },
    },
    { mailbox: { capacity: 4_096, overflow: "backpressure" } },
  )

/** Spawns /root/shard-updates for the Layer's scope over the node's store (the committed head) and Poseidon. */
export const ShardUpdatesLive = (limits?: ShardUpdatePoolLimits): Layer.Layer<ShardUpdates, never, ActorSystem.ActorSystem | Store | Poseidon> =>
  Layer.scoped(
    ShardUpdates,
    Effect.gen(function* () {
      const store = yield* Store
      const poseidon = yield* Poseidon
      const chain = committedChain(store)
      const globalHead = store.read(chain.headNumber).pipe(Effect.orElseSucceed(() => 0n))
      return yield* ActorSystem.spawnScoped(shardUpdatesActor({ globalHead, poseidon, ...(limits === undefined ? {} : { limits }) }))
    }),
  )
