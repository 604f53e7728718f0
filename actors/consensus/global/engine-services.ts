// The services a consensus engine actor takes from its context at start — the store and transport it
// persists and talks through, and the crypto its chain kind validates and produces with — shared by the
// global engine and every app shard's engine.
import { Context, Effect, Fiber, type Scope } from "effect"
import { BlsVerifier, FrameVdf, Poseidon, ProverSigner } from "../../../crates/ts/services.ts"
import { Transport, type TransportService } from "../../../runtime/kernel/transport/transport.ts"
import { Store } from "../../../runtime/store/index.ts"
import { LocalTimeout, ProposeDue, SyncAnswered } from "./protocol.ts"

export const engineServices = Effect.gen(function* () {
  const store = yield* Store
  const transport = yield* Transport
  const signer = yield* ProverSigner
  const bls = yield* BlsVerifier
  const poseidon = yield* Poseidon
  const vdf = yield* FrameVdf
  const services = Context.make(Poseidon, poseidon).pipe(Context.add(BlsVerifier, bls), Context.add(FrameVdf, vdf), Context.add(ProverSigner, signer))
  return { store, transport, signer, bls, poseidon, vdf, services }
})

/**
 * What an engine asks its actor to do later: one pacemaker timer (re-arming interrupts the last), a
 * delayed proposal, and sync requests answered into the mailbox. All run in the actor's scope and reach
 * the mailbox through `tell` (they run outside the actor).
 */
export const engineEffects = (
  scope: Scope.Scope,
  tell: (message: LocalTimeout | ProposeDue | SyncAnswered) => void,
  transport: TransportService,
  syncProtocol: string,
) => {
  let timer: Fiber.RuntimeFiber<void> | undefined
  return {
    armTimer: (ms: number, epoch: number) =>
      Effect.gen(function* () {
        if (timer !== undefined) yield* Fiber.interruptFork(timer)
        timer = yield* Effect.sleep(ms).pipe(Effect.zipRight(Effect.sync(() => tell(new LocalTimeout({ epoch })))), Effect.forkIn(scope))
      }),
    proposeAfter: (ms: number, rank: bigint) =>
      Effect.sleep(ms).pipe(Effect.zipRight(Effect.sync(() => tell(new ProposeDue({ rank })))), Effect.forkIn(scope), Effect.asVoid),
    sync: (peer: string, request: Uint8Array) =>
      transport.request(peer, syncProtocol, request).pipe(
        Effect.match({
          onFailure: (e) => new SyncAnswered({ peer, detail: `${e.reason}: ${e.detail}` }),
          onSuccess: (data) => new SyncAnswered({ peer, data, detail: "ok" }),
        }),
        Effect.flatMap((answer) => Effect.sync(() => tell(answer))),
        Effect.forkIn(scope),
        Effect.asVoid,
      ),
  }
}
