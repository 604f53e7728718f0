// The global consensus actor (/root/global-consensus): one HotStuff engine per node, fed by the
// consensus bitmask of the Transport, its own timers and sync answers. Crypto, store and transport are
// injected services, so a devnet runs it with the insecure test signer and the in-memory transport and
// a node swaps in native BLS48-581 and libp2p by changing Layers only.
import { Context, Effect, Fiber, Queue, type Scope } from "effect"
import { GlobalEquivocation, Publish, type EventDistributorRef } from "../event-distributor/index.ts"
import { Insert, type TimeReelMessage } from "../time-reel/protocol.ts"
import { globalFrameId } from "../../runtime/consensus/frame-id.ts"
import type { GlobalFrame } from "../../runtime/consensus/messages/global-frame.ts"
import type { ActiveProver } from "../../runtime/consensus/prover-ring.ts"
import { BlsVerifier, FrameVdf, Poseidon, ProverSigner } from "../../runtime/consensus/services.ts"
import { Actor, type ActorRef } from "../../runtime/index.ts"
import { Transport } from "../../runtime/transport/transport.ts"
import { Store } from "../store/index.ts"
import type { GlobalConsensusConfig } from "./config.ts"
import { GlobalConsensusEngine } from "./engine.ts"
import type { CertifiedFrame } from "./persistence.ts"
import { GlobalConsensusProtocol, type GlobalConsensusMessage, Inbound, LocalTimeout, ProposeDue, SyncAnswered } from "./protocol.ts"
import { GLOBAL_CONSENSUS_BITMASK, GLOBAL_SYNC_PROTOCOL } from "./wire.ts"

export const GLOBAL_CONSENSUS_NAME = "global-consensus"

export interface GlobalConsensusActorOptions {
  readonly config: GlobalConsensusConfig
  /** The global committee (`GetActiveProvers(nil)`); sorted here by address. */
  readonly committee: Effect.Effect<ReadonlyArray<ActiveProver>>
  readonly onCommitted?: (frames: ReadonlyArray<CertifiedFrame>) => void
  /** Committed frames (genesis first) are inserted here in order: the reel announces the heads. */
  readonly timeReel?: ActorRef<TimeReelMessage>
  /** Double proposals are published here as GlobalEquivocation (§4.3 step 7). */
  readonly distributor?: EventDistributorRef
  readonly mailboxCapacity?: number
}

export type GlobalConsensusRef = ActorRef<GlobalConsensusMessage>

export const globalConsensusActor = (options: GlobalConsensusActorOptions) => {
  // Set by the first Start; the ref (and mailbox) outlive incarnations, so restarts reuse it.
  const self: { ref: GlobalConsensusRef | undefined } = { ref: undefined }
  const tell = (message: GlobalConsensusMessage): void => {
    self.ref?.unsafeTell(message)
  }
  return Actor.make(
    GLOBAL_CONSENSUS_NAME,
    GlobalConsensusProtocol,
    {
      init: Effect.gen(function* () {
        const scope: Scope.Scope = yield* Effect.scope
        const store = yield* Store
        const transport = yield* Transport
        const signer = yield* ProverSigner
        const bls = yield* BlsVerifier
        const poseidon = yield* Poseidon
        const vdf = yield* FrameVdf
        const services = Context.make(Poseidon, poseidon).pipe(
          Context.add(BlsVerifier, bls),
          Context.add(FrameVdf, vdf),
          Context.add(ProverSigner, signer),
        )
        const committee = [...(yield* options.committee)].sort((a, b) => Buffer.compare(a.address, b.address))
        let timer: Fiber.RuntimeFiber<void> | undefined
        // One consumer inserts committed frames into the time reel in commit order.
        const toReel = yield* Queue.unbounded<GlobalFrame>()
        const reel = options.timeReel
        if (reel !== undefined) {
          yield* Queue.take(toReel).pipe(
            Effect.flatMap((frame) => reel.ask(new Insert({ frame }))),
            Effect.catchAll((e) => Effect.logWarning(`time reel refused a committed frame: ${e._tag === "InsertRejected" ? `${e.reason}: ${e.detail}` : e._tag}`)),
            Effect.forever,
            Effect.forkIn(scope),
          )
        }
        const distributor = options.distributor
        const engine = new GlobalConsensusEngine({
          config: options.config,
          committee,
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
          effects: {
            armTimer: (ms, epoch) =>
              Effect.gen(function* () {
                if (timer !== undefined) yield* Fiber.interruptFork(timer)
                timer = yield* Effect.sleep(ms).pipe(
                  Effect.zipRight(Effect.sync(() => tell(new LocalTimeout({ epoch })))),
                  Effect.forkIn(scope),
                )
              }),
            proposeAfter: (ms, rank) =>
              Effect.sleep(ms).pipe(Effect.zipRight(Effect.sync(() => tell(new ProposeDue({ rank })))), Effect.forkIn(scope), Effect.asVoid),
            sync: (peer, request) =>
              transport.request(peer, GLOBAL_SYNC_PROTOCOL, request).pipe(
                Effect.match({
                  onFailure: (e) => new SyncAnswered({ peer, detail: `${e.reason}: ${e.detail}` }),
                  onSuccess: (data) => new SyncAnswered({ peer, data, detail: "ok" }),
                }),
                Effect.flatMap((answer) => Effect.sync(() => tell(answer))),
                Effect.forkIn(scope),
                Effect.asVoid,
              ),
          },
        })
        yield* transport.subscribe(GLOBAL_CONSENSUS_BITMASK, (m) => tell(new Inbound({ from: m.from, data: m.data })))
        yield* transport.serve(GLOBAL_SYNC_PROTOCOL, (_from, data) => engine.serveSync(data))
        if (reel !== undefined) Queue.unsafeOffer(toReel, engine.genesisFrame())
        yield* engine.start()
        return engine
      }),
      handlers: {
        Start: (engine, _m, ctx) =>
          Effect.sync(() => {
            self.ref ??= ctx.self
            return engine
          }),
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
}
