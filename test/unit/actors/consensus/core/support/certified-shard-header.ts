// A certified app-shard header as a committed frame carries it (signature = its QC's aggregate, §1.4
// step 3), signed by any subset of an insecure-test committee: what ProverShardUpdate tests feed the
// validator, the pool and the global chain kind.
import { Effect, Either, type Layer } from "effect"
import { produceAppFrameHeader, produceAppGenesisHeader } from "../../../../../../actors/consensus/core/frame-production.ts"
import { AppFrameHeader } from "../../../../../../actors/consensus/core/messages/app-frame-header.ts"
import { QuorumCertificate } from "../../../../../../actors/consensus/core/messages/quorum-certificate.ts"
import { BLS48581AggregateSignature } from "../../../../../../actors/consensus/core/messages/signatures.ts"
import type { ActiveProver } from "../../../../../../actors/consensus/core/prover-ring.ts"
import { makeVoteMessage, voteDomain } from "../../../../../../actors/consensus/core/signed-messages.ts"
import { makeSignerBitmask } from "../../../../../../actors/consensus/core/signer-bitmask.ts"
import { BlsVerifier, type ProverSignerService } from "../../../../../../crates/ts/services.ts"
import { CryptoLayer } from "./devnet-crypto.ts"
import { testPoseidonHashBytes as poseidon } from "./poseidon.ts"

type Prover = ActiveProver & { readonly signer: ProverSignerService }

const runOk = <A, E>(effect: Effect.Effect<A, E, Layer.Layer.Success<typeof CryptoLayer>>): A =>
  Either.getOrThrow(Effect.runSync(Effect.either(effect.pipe(Effect.provide(CryptoLayer)))))

/** An unsigned app header at `frameNumber` (rank = frameNumber) for `address`, child of the shard's genesis. */
export const unsignedShardHeader = (address: Uint8Array, frameNumber: bigint, prover: Uint8Array, timestamp = 1_700_000_000_000n): AppFrameHeader =>
  runOk(
    Effect.gen(function* () {
      const genesis = yield* produceAppGenesisHeader({ address, difficulty: 1, prover: new Uint8Array(32) })
      return yield* produceAppFrameHeader({
        parent: genesis,
        frameNumber,
        rank: frameNumber,
        timestamp,
        difficulty: 1,
        feeMultiplierVote: 100n,
        requestsRoot: new Uint8Array(64),
        stateRoots: [0, 1, 2, 3].map(() => new Uint8Array(64)),
        prover,
      })
    }),
  )

/** `header` signed by `signerIndices` of `committee` (sorted by address): its aggregate and the QC that carries it. */
export const certify = (header: AppFrameHeader, committee: ReadonlyArray<Prover>, signerIndices: ReadonlyArray<number>) =>
  runOk(
    Effect.gen(function* () {
      const bls = yield* BlsVerifier
      const selector = poseidon(header.output)
      const message = makeVoteMessage(header.address, header.rank, selector)
      const signers = signerIndices.map((i) => {
        const p = committee[i]
        if (p === undefined) throw new RangeError(`no prover ${i}`)
        return p
      })
      const signatures = yield* Effect.forEach(signers, (p) => p.signer.sign(message, voteDomain(header.address)))
      const aggregate = new BLS48581AggregateSignature({
        signature: yield* bls.aggregateSignatures(signatures),
        publicKey: yield* bls.aggregatePublicKeys(signers.map((p) => p.publicKey)),
        bitmask: makeSignerBitmask(signerIndices, committee.length),
      })
      const certified = new AppFrameHeader({ ...header, publicKeySignatureBls48581: aggregate })
      const qc = new QuorumCertificate({
        filter: header.address,
        rank: header.rank,
        frameNumber: header.frameNumber,
        selector,
        timestamp: header.timestamp,
        aggregateSignature: aggregate,
      })
      return { header: certified, qc }
    }),
  )
