// The services a consensus engine actor takes from its context at start — the store and transport it
// persists and talks through, and the crypto its chain kind validates and produces with — shared by the
// global engine and every app shard's engine.
import { Context, Effect } from "effect"
import { BlsVerifier, FrameVdf, Poseidon, ProverSigner } from "../../../crates/ts/services.ts"
import { Transport } from "../../../runtime/kernel/transport/transport.ts"
import { Store } from "../../../runtime/store/index.ts"

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
