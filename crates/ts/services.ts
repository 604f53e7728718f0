import { Context, Data, type Effect } from "effect"

/**
 * iden3 `poseidon.HashBytes` (consensus.md §0): bytes in, 32-byte big-endian digest out. Injected rather
 * than imported so consensus does not depend on which Poseidon module (poseidon.ts) the node wires
 * in; tests pass the same function the node uses.
 */
export type PoseidonHash = (data: Uint8Array) => Uint8Array

/**
 * Crypto the consensus layer needs, as injected services so the pure logic runs against the native
 * implementations in a node and against the TS reference VDF / an insecure test signer in tests.
 */

export class VdfFailure extends Data.TaggedError("VdfFailure")<{ readonly operation: string; readonly reason: string }> {}
export class SignatureFailure extends Data.TaggedError("SignatureFailure")<{ readonly operation: string; readonly reason: string }> {}

/** Wesolowski class-group VDF at 2048 bits (crypto.md §2): 32-byte challenge, u32 iterations, 516-byte y ‖ π. */
export interface FrameVdfService {
  readonly solve: (challenge: Uint8Array, difficulty: number) => Effect.Effect<Uint8Array, VdfFailure>
  readonly verify: (challenge: Uint8Array, difficulty: number, output: Uint8Array) => Effect.Effect<boolean, VdfFailure>
  /**
   * Worker `index`'s 516-byte blob of the multi-worker proof over `ids` (a prover join's multiproof,
   * consensus.md §4.6: each data worker proves its own index).
   */
  readonly solveMulti: (challenge: Uint8Array, difficulty: number, ids: ReadonlyArray<Uint8Array>, index: number) => Effect.Effect<Uint8Array, VdfFailure>
  /** Multi-worker variant; `ids` and `outputs` have equal, non-zero length. */
  readonly verifyMulti: (
    challenge: Uint8Array,
    difficulty: number,
    ids: ReadonlyArray<Uint8Array>,
    outputs: ReadonlyArray<Uint8Array>,
  ) => Effect.Effect<boolean, VdfFailure>
}
export class FrameVdf extends Context.Tag("quilbun/consensus/FrameVdf")<FrameVdf, FrameVdfService>() {}

/** BLS48-581 verification and aggregation (crypto.md §3); message = domain ‖ msg inside the scheme. */
export interface BlsVerifierService {
  readonly verify: (publicKey: Uint8Array, signature: Uint8Array, message: Uint8Array, domain: Uint8Array) => Effect.Effect<boolean, SignatureFailure>
  /** Aggregate of G2 public keys, in the given order. */
  readonly aggregatePublicKeys: (publicKeys: ReadonlyArray<Uint8Array>) => Effect.Effect<Uint8Array, SignatureFailure>
  readonly aggregateSignatures: (signatures: ReadonlyArray<Uint8Array>) => Effect.Effect<Uint8Array, SignatureFailure>
  /** An aggregate where signer i signed messages[i] (timeout certificates, §3.8). */
  readonly verifyMultiMessage: (
    publicKeys: ReadonlyArray<Uint8Array>,
    messages: ReadonlyArray<Uint8Array>,
    signature: Uint8Array,
    domain: Uint8Array,
  ) => Effect.Effect<boolean, SignatureFailure>
}
export class BlsVerifier extends Context.Tag("quilbun/consensus/BlsVerifier")<BlsVerifier, BlsVerifierService>() {}

/** This node's proving key. */
export interface ProverSignerService {
  readonly publicKey: Uint8Array
  /** poseidon(publicKey). */
  readonly address: Uint8Array
  readonly sign: (message: Uint8Array, domain: Uint8Array) => Effect.Effect<Uint8Array, SignatureFailure>
}
export class ProverSigner extends Context.Tag("quilbun/consensus/ProverSigner")<ProverSigner, ProverSignerService>() {}

/** iden3 Poseidon HashBytes. */
export class Poseidon extends Context.Tag("quilbun/consensus/Poseidon")<Poseidon, PoseidonHash>() {}
