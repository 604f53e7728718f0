import { describe, expect, test } from "bun:test"
import { Effect, Either, Layer } from "effect"
import { produceGlobalFrameHeader, stubGlobalGenesisHeader } from "../../../../../actors/consensus/core/frame-production.ts"
import { validateGlobalFrame } from "../../../../../actors/consensus/core/frame-validation.ts"
import { GlobalFrameHeader } from "../../../../../actors/consensus/core/messages/global-frame-header.ts"
import { ReferenceTsVdfLive } from "../../../../../crates/ts/vdf/reference-frame-vdf.ts"
import { Poseidon } from "../../../../../crates/ts/services.ts"
import { InsecureTestBlsVerifierLive } from "../../../../../runtime/testing/insecure-test-bls.ts"
import { makeCommittee, signerLayer } from "./support/devnet-crypto.ts"
import { filled } from "./support/hex.ts"
import { testPoseidonHashBytes } from "./support/poseidon.ts"

/** Frames proved and verified with the real (TypeScript reference) Wesolowski VDF at tiny difficulty. */
const RealVdfLayer = Layer.mergeAll(Layer.succeed(Poseidon, testPoseidonHashBytes), ReferenceTsVdfLive, InsecureTestBlsVerifierLive)
const { provers } = makeCommittee(1)
const prover = provers[0]!

describe("global frame with the reference VDF", () => {
  test("produce at difficulty 16, validate, and reject a tampered output", () => {
    const genesis = stubGlobalGenesisHeader({ timestamp: 1_000n, difficulty: 16 })
    const header = Effect.runSync(
      produceGlobalFrameHeader({
        parent: genesis,
        rank: 1n,
        timestamp: 11_000n,
        difficulty: 16,
        globalCommitments: Array.from({ length: 256 }, () => filled(0, 64)),
        proverTreeCommitment: filled(0, 64),
        requestsRoot: filled(0, 64),
        proverIndex: 0,
      }).pipe(Effect.provide(RealVdfLayer), Effect.provide(signerLayer(prover.signer))),
    )
    expect(header.output.length).toBe(516)
    const validate = (h: GlobalFrameHeader) =>
      Effect.runSync(Effect.either(validateGlobalFrame({ header: h, activeProvers: provers, parent: genesis }).pipe(Effect.provide(RealVdfLayer))))
    expect(Either.isRight(validate(header))).toBe(true)
    const output = header.output.slice()
    output[300] = (output[300] ?? 0) ^ 0x01
    expect(Either.match(validate(new GlobalFrameHeader({ ...header, output })), { onLeft: (e) => e._tag, onRight: () => "Valid" })).toBe("BadVdf")
    expect(Either.match(validate(new GlobalFrameHeader({ ...header, difficulty: 17 })), { onLeft: (e) => e._tag, onRight: () => "Valid" })).toBe("BadVdf")
  }, 30_000)
})
