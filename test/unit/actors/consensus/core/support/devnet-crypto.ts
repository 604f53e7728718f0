import { Effect, Layer } from "effect"
import { sortByAddress, type ActiveProver } from "../../../../../../actors/consensus/core/prover-ring.ts"
import { type BlsVerifier, type FrameVdf, Poseidon, ProverSigner, type ProverSignerService } from "../../../../../../crates/ts/services.ts"
import { InsecureTestBlsVerifierLive, makeInsecureTestSigner } from "../../../../../../runtime/testing/insecure-test-bls.ts"
import { InsecureTestVdfLive } from "../../../../../../runtime/testing/insecure-test-vdf.ts"
import { testPoseidonHashBytes } from "./poseidon.ts"

/** A small committee with insecure test keys, and the layers the validators and producers need. */
export const makeCommittee = (size: number, seniority: (i: number) => bigint = () => 10n) => {
  const signers: Array<ProverSignerService> = Array.from({ length: size }, (_, i) => makeInsecureTestSigner(new Uint8Array([i + 1]), testPoseidonHashBytes))
  const provers: Array<ActiveProver & { readonly signer: ProverSignerService }> = sortByAddress(
    signers.map((signer, i) => ({ address: signer.address, publicKey: signer.publicKey, seniority: seniority(i), signer })),
  )
  return { provers }
}

export const CryptoLayer = Layer.mergeAll(Layer.succeed(Poseidon, testPoseidonHashBytes), InsecureTestVdfLive, InsecureTestBlsVerifierLive)

export const signerLayer = (signer: ProverSignerService) => Layer.succeed(ProverSigner, signer)

export const run = <A, E>(effect: Effect.Effect<A, E, Poseidon | FrameVdf | BlsVerifier>) =>
  Effect.runSync(Effect.either(effect.pipe(Effect.provide(CryptoLayer))))
