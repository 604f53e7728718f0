// A HotStuff engine of the global chain kind on in-memory ports, with the insecure test crypto.
import { Effect, Layer } from "effect"
import type { ValidationServices } from "../../../../../../actors/consensus/core/chain-kind.ts"
import type { StateWrite } from "../../../../../../actors/consensus/core/engine-ports.ts"
import { constantCommitteeSource } from "../../../../../../actors/consensus/core/committee-source.ts"
import { HotStuffEngine } from "../../../../../../actors/consensus/core/hotstuff-engine.ts"
import type { GlobalFrame } from "../../../../../../actors/consensus/core/messages/global-frame.ts"
import type { GlobalProposal } from "../../../../../../actors/consensus/core/messages/proposals.ts"
import type { ConsensusState } from "../../../../../../actors/consensus/core/safety-rules.ts"
import { devnetConsensusConfig } from "../../../../../../actors/consensus/global/config.ts"
import { globalChainKind } from "../../../../../../actors/consensus/global/global-chain-kind.ts"
import { BlsVerifier } from "../../../../../../crates/ts/services.ts"
import { CryptoLayer, makeCommittee, signerLayer } from "./devnet-crypto.ts"
import { memoryPorts, type MemoryStore, type PortEvent } from "./memory-ports.ts"
import { testPoseidonHashBytes } from "./poseidon.ts"

export type Event = PortEvent<GlobalFrame, GlobalProposal>

/**
 * An engine for the first of `size` provers. With one, this node leads every rank and its own vote is a
 * quorum; with more, the others stay silent.
 */
export const soloEngine = (store: MemoryStore<GlobalFrame, GlobalProposal>, size = 1) => {
  const { provers } = makeCommittee(size)
  const me = provers[0]
  if (me === undefined) throw new Error("no prover")
  const layer = Layer.merge(CryptoLayer, signerLayer(me.signer))
  const services = Effect.runSync(Effect.context<ValidationServices>().pipe(Effect.provide(layer)))
  const bls = Effect.runSync(BlsVerifier.pipe(Effect.provide(CryptoLayer)))
  const { ports, log } = memoryPorts(store)
  const engine = new HotStuffEngine({
    kind: globalChainKind,
    config: devnetConsensusConfig(),
    committees: constantCommitteeSource(provers),
    signer: me.signer,
    bls,
    poseidon: testPoseidonHashBytes,
    services,
    ports,
  })
  return { engine, log }
}

const safetyIn = (writes: ReadonlyArray<StateWrite<GlobalFrame, GlobalProposal>>): ConsensusState | undefined => {
  for (const w of writes) if (w._tag === "Put" && w.record._tag === "Safety") return w.record.state
  return undefined
}

/** The safety state durable when each publish left (undefined: none persisted yet). */
export const safetyAtPublish = (log: ReadonlyArray<Event>) => {
  let durable: ConsensusState | undefined
  const out: Array<{ readonly payload: Uint8Array; readonly safety: ConsensusState | undefined }> = []
  for (const e of log) {
    if (e.op === "persist") durable = safetyIn(e.writes) ?? durable
    if (e.op === "publish") out.push({ payload: e.payload, safety: durable })
  }
  return out
}

/** Runs every due proposal the engine asked for, `rounds` times. */
export const proposeRounds = (engine: HotStuffEngine<GlobalFrame, GlobalProposal>, log: Array<Event>, rounds: number) =>
  Effect.gen(function* () {
    let done = 0
    for (let i = 0; i < rounds; i++) {
      const due = log.slice(done).filter((e): e is Extract<Event, { op: "proposeAfter" }> => e.op === "proposeAfter")
      done = log.length
      for (const d of due) yield* engine.handleProposeDue(d.rank)
    }
  })
