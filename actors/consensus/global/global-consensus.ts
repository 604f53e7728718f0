// The global consensus actor (/root/global-consensus): one HotStuff engine per node, fed by the
// consensus bitmask of the Transport, its own timers and sync answers. Crypto, store and transport are
// injected services, so a devnet runs it with the insecure test signer and the in-memory transport and
// a node swaps in native BLS48-581 and libp2p by changing Layers only.
import { Effect, Queue, type Scope } from "effect"
import { GlobalEquivocation, Publish, type EventDistributorRef } from "../../event-distributor/index.ts"
import { Head, Insert, type TimeReelMessage } from "../../time-reel/protocol.ts"
import { globalFrameId } from "../core/frame-id.ts"
import type { AppFrameHeader } from "../core/messages/app-frame-header.ts"
import type { GlobalFrame } from "../core/messages/global-frame.ts"
import type { CommitteeSource } from "../core/committee-source.ts"
import type { CommitteeAtFrame } from "./registry-committees.ts"
import type { ActiveProver } from "../core/prover-ring.ts"
import { engineEffects, engineServices } from "./engine-services.ts"
import { Actor, type ActorRef } from "../../../runtime/kernel/index.ts"
import type { GlobalConsensusConfig } from "./config.ts"
import { GlobalConsensusEngine } from "./engine.ts"
import { type CertifiedFrame, decodeCertifiedFrame } from "./persistence.ts"
import { GlobalConsensusProtocol, type GlobalConsensusMessage, Inbound } from "./protocol.ts"
import { GLOBAL_CONSENSUS_BITMASK, GLOBAL_SYNC_PROTOCOL } from "./wire.ts"

const GLOBAL_CONSENSUS_NAME = "global-consensus"

export interface GlobalConsensusActorOptions {
  readonly config: GlobalConsensusConfig
  /** The global committee (`GetActiveProvers(nil)`); sorted here by address. */
  readonly committee: Effect.Effect<ReadonlyArray<ActiveProver>>
  /** Who votes on each frame (app D-APP-18); absent: `committee` for every frame. */
  readonly committees?: CommitteeSource<GlobalFrame>
  /** The registry's committee by committed frame (D-REG-8); used when `committees` is absent. */
  readonly committeeAt?: CommitteeAtFrame
  readonly onCommitted?: (frames: ReadonlyArray<CertifiedFrame>) => void
  /** Committed frames (genesis first) are inserted here in order: the reel announces the heads. */
  readonly timeReel?: ActorRef<TimeReelMessage>
  /** Double proposals are published here as GlobalEquivocation (§4.3 step 7). */
  readonly distributor?: EventDistributorRef
  readonly mailboxCapacity?: number
  /** Certified shard headers to propose when leading (the master's shard-update pool). */
  readonly pendingShardUpdates?: Effect.Effect<ReadonlyArray<AppFrameHeader>>
  /** Prover lifecycle requests to propose when leading (D-GC-19). */
  readonly pendingLifecycle?: Effect.Effect<ReadonlyArray<Uint8Array>>
}

export type GlobalConsensusRef = ActorRef<GlobalConsensusMessage>

const insertIntoReel = (reel: ActorRef<TimeReelMessage>, frame: GlobalFrame) =>
  reel
    .ask(new Insert({ frame }))
    .pipe(
      Effect.catchAll((e) =>
        Effect.logWarning(
          `time reel refused committed frame ${frame.header.frameNumber}: ${e._tag === "InsertRejected" ? `${e.reason}: ${e.detail}` : e._tag}`,
        ),
      ),
    )

/**
 * One consumer keeps the time reel on the committed chain. The reel and consensus share the store but
 * not a transaction: a kill -9 between a consensus commit and the reel's insert left the reel behind
 * for good (every later frame pending on a parent it never got), and offering genesis to a reel that
 * already had a chain was refused on every start. So first the reel catches up from the consensus
 * store (genesis only when it has nothing), then follows the commits, skipping what the catch-up
 * already inserted.
 */
const feedReel = (reel: ActorRef<TimeReelMessage>, engine: GlobalConsensusEngine, commits: Queue.Queue<GlobalFrame>) =>
  Effect.gen(function* () {
    const head = yield* reel.ask(new Head()).pipe(Effect.orElseSucceed(() => null))
    let next = head === null ? 0n : head.frame.header.frameNumber + 1n
    if (next === 0n) {
      yield* insertIntoReel(reel, engine.genesisFrame())
      next = 1n
    }
    const behind = next
    for (;;) {
      const batch = yield* engine.committed(next, next + BigInt(REEL_CATCH_UP_BATCH - 1))
      for (const bytes of batch) {
        yield* insertIntoReel(reel, decodeCertifiedFrame(bytes).frame)
        next++
      }
      if (batch.length < REEL_CATCH_UP_BATCH) break
    }
    if (next - behind > 0n) yield* Effect.logInfo(`time reel caught up with consensus: frames ${behind}..${next - 1n}`)
    yield* Queue.take(commits).pipe(
      Effect.flatMap((frame) => (frame.header.frameNumber < next ? Effect.void : insertIntoReel(reel, frame))),
      Effect.forever,
    )
  })

const REEL_CATCH_UP_BATCH = 256

export const globalConsensusActor = (options: GlobalConsensusActorOptions) =>
  Actor.make(
    GLOBAL_CONSENSUS_NAME,
    GlobalConsensusProtocol,
    {
      init: (ctx) =>
        Effect.gen(function* () {
          // Timers, transport callbacks and sync answers reach the mailbox through the actor's own ref,
          // which outlives incarnations; unsafeTell because they run outside the actor (a full mailbox
          // drops them, as it did before, rather than stalling the network or a timer fiber).
          const tell = (message: GlobalConsensusMessage): void => {
            ctx.self.unsafeTell(message)
          }
          const scope: Scope.Scope = yield* Effect.scope
          const { store, transport, signer, bls, poseidon, services } = yield* engineServices
          const committee = [...(yield* options.committee)].sort((a, b) => Buffer.compare(a.address, b.address))
          // Committed frames for the time reel, in commit order (see feedReel below).
          const toReel = yield* Queue.unbounded<GlobalFrame>()
          const reel = options.timeReel
          const distributor = options.distributor
          const engine = new GlobalConsensusEngine({
            config: options.config,
            committee,
            ...(options.committees === undefined ? {} : { committees: options.committees }),
            ...(options.committeeAt === undefined ? {} : { committeeAt: options.committeeAt }),
            store,
            transport,
            signer,
            bls,
            poseidon,
            services,
            onCommitted: (frames) => {
              options.onCommitted?.(frames)
              if (reel !== undefined) for (const f of frames) Queue.unsafeOffer(toReel, f.frame)
            },
            onDoubleProposal: (second, first, proposerIndex) => {
              if (distributor === undefined) return
              const event = new GlobalEquivocation({
                frame: second,
                frameId: globalFrameId(poseidon, second.header),
                equivocators: proposerIndex < 0 ? [] : [proposerIndex],
                message: `double proposal at rank ${second.header.rank}: ${globalFrameId(poseidon, first.header)} and this frame`,
              })
              distributor.unsafeTell(new Publish({ event }))
            },
            effects: engineEffects(scope, tell, transport, GLOBAL_SYNC_PROTOCOL),
            ...(options.pendingShardUpdates === undefined ? {} : { pendingShardUpdates: options.pendingShardUpdates }),
            ...(options.pendingLifecycle === undefined ? {} : { pendingLifecycle: options.pendingLifecycle }),
          })
          yield* transport.subscribe(GLOBAL_CONSENSUS_BITMASK, (m) => tell(new Inbound({ from: m.from, data: m.data })))
          yield* transport.serve(GLOBAL_SYNC_PROTOCOL, (_from, data) => engine.serveSync(data))
          yield* engine.start()
          if (reel !== undefined) yield* Effect.forkIn(feedReel(reel, engine, toReel), scope)
          return engine
        }),
      handlers: {
        Inbound: (engine, m) => Effect.as(engine.handleInbound(m.from, m.data), engine),
        LocalTimeout: (engine, m) => Effect.as(engine.handleLocalTimeout(m.epoch), engine),
        ProposeDue: (engine, m) => Effect.as(engine.handleProposeDue(m.rank), engine),
        SyncAnswered: (engine, m) => Effect.as(engine.handleSyncAnswered(m.peer, m.data, m.detail), engine),
        GetStatus: (engine) => Effect.succeed([engine, engine.status()] as const),
        GetCommitted: (engine, m) => Effect.map(engine.committed(m.from, m.to), (frames) => [engine, frames] as const),
      },
    },
    { mailbox: { capacity: options.mailboxCapacity ?? 4_096, overflow: "backpressure" }, kind: "permanent" },
  )
