// Builds real global frames for time-reel tests: the production path of actors/consensus/core (VDF over the
// global challenge, then the header signature block replaced by an aggregate over chosen signers, as a
// QC would), with the insecure test BLS keys and either the insecure or the reference TS VDF.
import { Effect, Layer } from "effect"
import type { GenesisProver } from "../../../../../actors/prover-registry/index.ts"
import { produceGlobalFrameHeader, stubGlobalGenesisHeader } from "../../../../../actors/consensus/core/frame-production.ts"
import { GlobalFrame } from "../../../../../actors/consensus/core/messages/global-frame.ts"
import { GlobalFrameHeader } from "../../../../../actors/consensus/core/messages/global-frame-header.ts"
import { BLS48581AggregateSignature } from "../../../../../actors/consensus/core/messages/signatures.ts"
import { sortByAddress } from "../../../../../actors/consensus/core/prover-ring.ts"
import { type FrameVdfService, FrameVdf, Poseidon, ProverSigner, type ProverSignerService } from "../../../../../crates/ts/services.ts"
import { makeSignerBitmask } from "../../../../../actors/consensus/core/signer-bitmask.ts"
import { makeVoteMessage, voteDomain } from "../../../../../actors/consensus/core/signed-messages.ts"
import { insecureTestBlsVerifier, insecureTestSign, makeInsecureTestSigner } from "../../../../../runtime/testing/insecure-test-bls.ts"
import { poseidonHashBytes } from "../../../../../crates/ts/poseidon.ts"

const COMMITTEE_SIZE = 4

/** Four test provers, sorted by address (index = bitmask bit). */
const committee: ReadonlyArray<ProverSignerService> = sortByAddress(
  Array.from({ length: COMMITTEE_SIZE }, (_, i) => makeInsecureTestSigner(Uint8Array.of(0x7e, i), poseidonHashBytes)),
)

export const genesisProvers: ReadonlyArray<GenesisProver> = committee.map((s) => ({ publicKey: s.publicKey, seniority: 10n }))

const DIFFICULTY = 16

const zero64 = () => new Uint8Array(64)

export const genesisFrame = (timestamp: bigint): GlobalFrame =>
  new GlobalFrame({ header: stubGlobalGenesisHeader({ timestamp, difficulty: DIFFICULTY }), requests: [] })

export interface ChildOptions {
  /** Committee indices whose aggregate signs the frame (default [0]). */
  readonly signers?: ReadonlyArray<number>
  /** Default parent.rank + 1. */
  readonly rank?: bigint
  /** Added to the parent's timestamp (default 10 s); varies the VDF challenge, so forks differ. */
  readonly timestampStep?: bigint
  /**
   * Sign like a QC: every signer's vote over `MakeVoteMessage(nil, rank, selector)` (domain "global"),
   * aggregated. Default: the leader's VDF-time signature only (validators do not check it by default).
   */
  readonly voteSigned?: boolean
}

export const makeFrameBuilder = (vdf: FrameVdfService) => {
  const child = (parent: GlobalFrame, options: ChildOptions = {}): GlobalFrame => {
    const signers = options.signers ?? [0]
    const leader = committee[signers[0] ?? 0] as ProverSignerService
    const layer = Layer.mergeAll(Layer.succeed(Poseidon, poseidonHashBytes), Layer.succeed(FrameVdf, vdf), Layer.succeed(ProverSigner, leader))
    const produced = Effect.runSync(
      produceGlobalFrameHeader({
        parent: parent.header,
        rank: options.rank ?? parent.header.rank + 1n,
        timestamp: parent.header.timestamp + (options.timestampStep ?? 10_000n),
        difficulty: DIFFICULTY,
        globalCommitments: Array.from({ length: 256 }, zero64),
        proverTreeCommitment: zero64(),
        requestsRoot: zero64(),
        proverIndex: signers[0] ?? 0,
      }).pipe(Effect.provide(layer)),
    )
    // What a QC would leave: the aggregate key of the signers and their bitmask.
    const keys = signers.map((i) => (committee[i] as ProverSignerService).publicKey)
    const vote = makeVoteMessage(new Uint8Array(), produced.rank, poseidonHashBytes(produced.output))
    const signatures =
      options.voteSigned === true
        ? keys.map((k) => insecureTestSign(k, vote, voteDomain(new Uint8Array())))
        : [produced.publicKeySignatureBls48581?.signature ?? new Uint8Array(74)]
    const aggregate = Effect.runSync(
      Effect.all({
        publicKey: insecureTestBlsVerifier.aggregatePublicKeys(keys),
        signature: insecureTestBlsVerifier.aggregateSignatures(signatures),
      }),
    )
    const header = new GlobalFrameHeader({
      ...produced,
      publicKeySignatureBls48581: new BLS48581AggregateSignature({
        signature: aggregate.signature,
        publicKey: aggregate.publicKey,
        bitmask: makeSignerBitmask(signers, COMMITTEE_SIZE, 32),
      }),
    })
    return new GlobalFrame({ header, requests: [] })
  }

  /** `count` frames on top of `from`, each signed by `signers`. */
  const chain = (from: GlobalFrame, count: number, options: ChildOptions = {}): Array<GlobalFrame> => {
    const out: Array<GlobalFrame> = []
    let parent = from
    for (let i = 0; i < count; i++) {
      parent = child(parent, options)
      out.push(parent)
    }
    return out
  }

  return { child, chain }
}

/** A copy of `frame` with one output byte flipped (the VDF proof no longer verifies). */
export const withFlippedOutput = (frame: GlobalFrame): GlobalFrame => {
  const output = frame.header.output.slice()
  output[300] = (output[300] ?? 0) ^ 0x01
  return new GlobalFrame({ header: new GlobalFrameHeader({ ...frame.header, output }), requests: frame.requests })
}

export const selectorOf = (frame: GlobalFrame): Uint8Array => poseidonHashBytes(frame.header.output)
