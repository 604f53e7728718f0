import { Effect } from "effect"
import { AppFrameHeader } from "./messages/app-frame-header.ts"
import { GlobalFrameHeader } from "./messages/global-frame-header.ts"
import { QuorumCertificate } from "./messages/quorum-certificate.ts"
import { BLS_PUBLIC_KEY_BYTES, BLS_SIGNATURE_BYTES, BLS48581AggregateSignature } from "./messages/signatures.ts"
import { FrameVdf, Poseidon, ProverSigner } from "../../../crates/ts/services.ts"
import { GLOBAL_PROVER_SIGNATURE_DOMAIN, globalProverSignatureMessage } from "./signed-messages.ts"
import { MAX_BITMASK_LENGTH, makeSignerBitmask } from "./signer-bitmask.ts"
import { APP_GENESIS_FEE_MULTIPLIER, APP_GENESIS_INPUT, appChallenge, appGenesisChallenge, globalChallenge } from "./vdf-challenge.ts"

/** Frame production (consensus.md §1.3, §1.5 step 8, §1.6 step 10, §1.7). */

/** The global producer stamps its header 10 s ahead (§1.1). */
const GLOBAL_TIMESTAMP_LEAD_MS = 10_000n
export const globalHeaderTimestamp = (nowMs: bigint): bigint => nowMs + GLOBAL_TIMESTAMP_LEAD_MS

export interface GlobalFrameInputs {
  readonly parent: GlobalFrameHeader
  readonly rank: bigint
  /** Header timestamp (now + 10 s, see `globalHeaderTimestamp`). */
  readonly timestamp: bigint
  readonly difficulty: number
  /** The 256 per-index commitments (§1.8). */
  readonly globalCommitments: ReadonlyArray<Uint8Array>
  readonly proverTreeCommitment: Uint8Array
  readonly requestsRoot: Uint8Array
  /** Own index in the address-sorted global active provers. */
  readonly proverIndex: number
}

/**
 * `ProveGlobalFrameHeader`: frame = parent + 1, parent_selector = poseidon(parent.output), VDF over the
 * global challenge, then the leader's VDF-time signature over challenge ‖ output (domain "global") with a
 * fixed 32-byte bitmask holding only its own index. Sets prover = own address and rank. The signature is
 * replaced by the proposer's vote, then by the QC aggregate, later in the pipeline (§1.4).
 */
export const produceGlobalFrameHeader = (inputs: GlobalFrameInputs) =>
  Effect.gen(function* () {
    const poseidon = yield* Poseidon
    const vdf = yield* FrameVdf
    const signer = yield* ProverSigner
    const unsolved = {
      frameNumber: inputs.parent.frameNumber + 1n,
      timestamp: inputs.timestamp,
      difficulty: inputs.difficulty,
      parentSelector: poseidon(inputs.parent.output),
      globalCommitments: inputs.globalCommitments,
      proverTreeCommitment: inputs.proverTreeCommitment,
      requestsRoot: inputs.requestsRoot,
    }
    const challenge = globalChallenge(unsolved)
    const output = yield* vdf.solve(challenge, inputs.difficulty)
    const signature = yield* signer.sign(globalProverSignatureMessage(challenge, output), GLOBAL_PROVER_SIGNATURE_DOMAIN)
    return new GlobalFrameHeader({
      ...unsolved,
      rank: inputs.rank,
      output,
      prover: signer.address,
      publicKeySignatureBls48581: new BLS48581AggregateSignature({
        signature,
        publicKey: signer.publicKey,
        bitmask: makeSignerBitmask([inputs.proverIndex], MAX_BITMASK_LENGTH * 8, MAX_BITMASK_LENGTH),
      }),
    })
  })

export interface AppFrameInputs {
  readonly parent: AppFrameHeader
  /** Defaults to parent + 1; the app engine forces it to the global head's number (§1.6 step 4). */
  readonly frameNumber?: bigint
  readonly rank: bigint
  readonly timestamp: bigint
  readonly difficulty: number
  readonly feeMultiplierVote: bigint
  readonly requestsRoot: Uint8Array
  readonly stateRoots: ReadonlyArray<Uint8Array>
  /** Own prover address. */
  readonly prover: Uint8Array
}

/** `ProveFrameHeader`: VDF over the app challenge; the proposal carries no header signature (§1.4 app step 1). */
export const produceAppFrameHeader = (inputs: AppFrameInputs) =>
  Effect.gen(function* () {
    const poseidon = yield* Poseidon
    const vdf = yield* FrameVdf
    const unsolved = {
      address: inputs.parent.address,
      frameNumber: inputs.frameNumber ?? inputs.parent.frameNumber + 1n,
      timestamp: inputs.timestamp,
      difficulty: inputs.difficulty,
      feeMultiplierVote: inputs.feeMultiplierVote,
      parentSelector: poseidon(inputs.parent.output),
      requestsRoot: inputs.requestsRoot,
      stateRoots: inputs.stateRoots,
      prover: inputs.prover,
    }
    const output = yield* vdf.solve(appChallenge(unsolved), inputs.difficulty)
    return new AppFrameHeader({ ...unsolved, rank: inputs.rank, output })
  })

export interface AppGenesisInputs {
  readonly address: Uint8Array
  /** The global frame's difficulty when learned from the network, else the configured one. */
  readonly difficulty: number
  /** Must be non-empty for the header to pass `validateAppFrame` (§10.2 step 3.4). */
  readonly prover: Uint8Array
  readonly input?: Uint8Array
  readonly feeMultiplierVote?: bigint
}

/** `ProveFrameHeaderGenesis`: frame 0, timestamp 0, zero parent selector, 74-zero-byte roots (§1.3). */
export const produceAppGenesisHeader = (inputs: AppGenesisInputs) =>
  Effect.gen(function* () {
    const vdf = yield* FrameVdf
    const fee = inputs.feeMultiplierVote ?? APP_GENESIS_FEE_MULTIPLIER
    const challenge = appGenesisChallenge(inputs.address, inputs.difficulty, inputs.input ?? APP_GENESIS_INPUT, fee)
    const output = yield* vdf.solve(challenge, inputs.difficulty)
    return new AppFrameHeader({
      address: inputs.address,
      frameNumber: 0n,
      rank: 0n,
      timestamp: 0n,
      difficulty: inputs.difficulty,
      output,
      parentSelector: new Uint8Array(32),
      requestsRoot: new Uint8Array(74),
      stateRoots: [new Uint8Array(74), new Uint8Array(74), new Uint8Array(74), new Uint8Array(74)],
      prover: inputs.prover,
      feeMultiplierVote: fee,
    })
  })

/**
 * Non-mainnet global genesis stub (§1.7): frame 0, the given timestamp and difficulty, 516 zero output
 * bytes, zero parent selector, and an empty signature block.
 */
export const stubGlobalGenesisHeader = (params: {
  readonly timestamp: bigint
  readonly difficulty: number
  readonly globalCommitments?: ReadonlyArray<Uint8Array>
  readonly proverTreeCommitment?: Uint8Array
  readonly requestsRoot?: Uint8Array
}): GlobalFrameHeader =>
  new GlobalFrameHeader({
    frameNumber: 0n,
    rank: 0n,
    timestamp: params.timestamp,
    difficulty: params.difficulty,
    output: new Uint8Array(516),
    parentSelector: new Uint8Array(32),
    globalCommitments: params.globalCommitments ?? Array.from({ length: 256 }, () => new Uint8Array(64)),
    proverTreeCommitment: params.proverTreeCommitment ?? new Uint8Array(64),
    requestsRoot: params.requestsRoot ?? new Uint8Array(64),
    prover: new Uint8Array(),
    publicKeySignatureBls48581: new BLS48581AggregateSignature({ signature: new Uint8Array(), bitmask: new Uint8Array() }),
  })

/**
 * Genesis QC (§1.7): rank 0, the genesis selector, a zero 585-byte key, a zero 74-byte signature and
 * bitmask 0xff × 32. Validators accept the rank-0 QC only if it equals the stored one.
 */
export const genesisQuorumCertificate = (params: {
  readonly filter: Uint8Array
  readonly frameNumber: bigint
  readonly selector: Uint8Array
  readonly timestamp: bigint
}): QuorumCertificate =>
  new QuorumCertificate({
    filter: params.filter,
    rank: 0n,
    frameNumber: params.frameNumber,
    selector: params.selector,
    timestamp: params.timestamp,
    aggregateSignature: new BLS48581AggregateSignature({
      signature: new Uint8Array(BLS_SIGNATURE_BYTES),
      publicKey: new Uint8Array(BLS_PUBLIC_KEY_BYTES),
      bitmask: new Uint8Array(32).fill(0xff),
    }),
  })
