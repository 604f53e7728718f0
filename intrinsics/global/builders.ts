// Building signed lifecycle operations (execution.md §11.1 "client builders"): the one place a client,
// the node's own worker allocator or a test turns intent into a signed operation, so the signed bytes
// cannot drift from what `applyLifecycleOp` verifies.
import type { CryptoServices } from "../contract/index.ts"
import { DOMAIN_NAMES, POP_DOMAIN, PROVER_CONFIRM, PROVER_JOIN, PROVER_LEAVE, PROVER_PAUSE, PROVER_REJECT, PROVER_RESUME, PROVER_UPDATE } from "./constants.ts"
import { type ProverJoin, proverJoinSignedBytes } from "./messages/join.ts"
import { type ProverConfirm, type ProverLeave, type ProverPause, type ProverUpdate, signedBytes } from "./messages/signed-ops.ts"
import { lifecycleDomain } from "./signatures.ts"

/** A prover's signing key as a builder sees it: its public key and a signer of `domain ‖ message`. */
export interface LifecycleSigner {
  readonly publicKey: Uint8Array
  readonly sign: (message: Uint8Array, domain: Uint8Array) => Uint8Array
}

type Poseidon = Pick<CryptoServices, "poseidon">

export interface JoinArgs {
  readonly filters: ReadonlyArray<Uint8Array>
  readonly frameNumber: bigint
  /** The concatenated 516-byte multiproof blobs, one per filter (ids from `joinProofIds`). */
  readonly proof: Uint8Array
  readonly delegateAddress?: Uint8Array
}

export const buildProverJoin = (crypto: Poseidon, signer: LifecycleSigner, args: JoinArgs): ProverJoin => {
  const unsigned: ProverJoin = {
    _tag: "ProverJoin",
    filters: args.filters,
    frameNumber: args.frameNumber,
    signature: undefined,
    delegateAddress: args.delegateAddress ?? new Uint8Array(),
    mergeTargets: [],
    proof: args.proof,
  }
  const signature = signer.sign(proverJoinSignedBytes(unsigned), lifecycleDomain(crypto, DOMAIN_NAMES[PROVER_JOIN]))
  const popSignature = signer.sign(signer.publicKey, POP_DOMAIN)
  return { ...unsigned, signature: { signature, publicKey: signer.publicKey, popSignature } }
}

const addressed = <Op extends ProverLeave | ProverPause | ProverConfirm | ProverUpdate>(
  crypto: Poseidon,
  signer: LifecycleSigner,
  opType: keyof typeof DOMAIN_NAMES,
  unsigned: Op,
): Op => {
  const address = crypto.poseidon(signer.publicKey)
  const signature = signer.sign(signedBytes(unsigned), lifecycleDomain(crypto, DOMAIN_NAMES[opType]))
  return { ...unsigned, signature: { signature, address } }
}

const placeholder = { signature: new Uint8Array(), address: new Uint8Array() }

export const buildProverLeave = (crypto: Poseidon, signer: LifecycleSigner, filters: ReadonlyArray<Uint8Array>, frameNumber: bigint): ProverLeave =>
  addressed(crypto, signer, PROVER_LEAVE, { _tag: "ProverLeave", filters, frameNumber, signature: placeholder })

export const buildProverPause = (crypto: Poseidon, signer: LifecycleSigner, filter: Uint8Array, frameNumber: bigint): ProverPause =>
  addressed(crypto, signer, PROVER_PAUSE, { _tag: "ProverPause", filter, frameNumber, signature: placeholder })

export const buildProverResume = (crypto: Poseidon, signer: LifecycleSigner, filter: Uint8Array, frameNumber: bigint): ProverPause =>
  addressed(crypto, signer, PROVER_RESUME, { _tag: "ProverResume", filter, frameNumber, signature: placeholder })

export const buildProverConfirm = (crypto: Poseidon, signer: LifecycleSigner, filters: ReadonlyArray<Uint8Array>, frameNumber: bigint): ProverConfirm =>
  addressed(crypto, signer, PROVER_CONFIRM, { _tag: "ProverConfirm", filters, frameNumber, signature: placeholder })

export const buildProverReject = (crypto: Poseidon, signer: LifecycleSigner, filters: ReadonlyArray<Uint8Array>, frameNumber: bigint): ProverConfirm =>
  addressed(crypto, signer, PROVER_REJECT, { _tag: "ProverReject", filters, frameNumber, signature: placeholder })

export const buildProverUpdate = (crypto: Poseidon, signer: LifecycleSigner, delegateAddress: Uint8Array): ProverUpdate =>
  addressed(crypto, signer, PROVER_UPDATE, { _tag: "ProverUpdate", delegateAddress, signature: placeholder })
