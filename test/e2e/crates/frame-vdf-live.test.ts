// FrameVdf over crates/ts/vdf VdfService (crates/ts/vdf/frame-vdf-live.ts): the reference vectors,
// verdicts that match reference-ts-vdf.ts, typed failures, the TypeScript fallback, and an app frame
// whose appended multiproofs are proved by the service and checked by the consensus validator with
// real BLS48-581 votes.
import { afterAll, describe, expect, test } from "bun:test"
import { existsSync } from "node:fs"
import { Effect, Either, Layer, ManagedRuntime, Redacted } from "effect"
import { makeBls } from "../../../crates/ts/bls/bls.ts"
import { nativeLibraryPath } from "../../../crates/ts/native.ts"
import { VdfLive, VdfService } from "../../../crates/ts/vdf/vdf.ts"
import { makeBlsProverSigner, makeBlsVerifier } from "../../../crates/ts/bls/bls-live.ts"
import { produceAppFrameHeader, produceAppGenesisHeader } from "../../../actors/consensus/core/frame-production.ts"
import { appendMultiproofs, validateAppFrame } from "../../../actors/consensus/core/frame-validation.ts"
import { AppFrameHeader } from "../../../actors/consensus/core/messages/app-frame-header.ts"
import { BLS48581AggregateSignature } from "../../../actors/consensus/core/messages/signatures.ts"
import { NativeFrameVdfFromService } from "../../../crates/ts/vdf/frame-vdf-live.ts"
import { PoseidonLive } from "../../../crates/ts/poseidon-live.ts"
import { sortByAddress } from "../../../actors/consensus/core/prover-ring.ts"
import { referenceTsVdf } from "../../../crates/ts/vdf/reference-frame-vdf.ts"
import { BlsVerifier, FrameVdf, type Poseidon, VdfFailure } from "../../../crates/ts/services.ts"
import { makeVoteMessage, voteDomain } from "../../../actors/consensus/core/signed-messages.ts"
import { makeSignerBitmask } from "../../../actors/consensus/core/signer-bitmask.ts"
import { multiproofChallenge } from "../../../actors/consensus/core/vdf-challenge.ts"
import { wesolowskiLines } from "../../unit/crates/vdf/vectors.ts"
import { filled } from "../../unit/actors/consensus/core/support/hex.ts"
import { testPoseidonHashBytes as poseidon } from "../../unit/actors/consensus/core/support/poseidon.ts"

const runtime = ManagedRuntime.make(Layer.mergeAll(PoseidonLive, NativeFrameVdfFromService.pipe(Layer.provideMerge(VdfLive))))
afterAll(() => runtime.dispose())
const run = <A, E>(effect: Effect.Effect<A, E, FrameVdf | VdfService | BlsVerifier | Poseidon>) =>
  runtime.runPromise(effect.pipe(Effect.provideService(BlsVerifier, verifier)))
const flipped = (bytes: Uint8Array, at: number) => {
  const out = bytes.slice()
  out[at] = (out[at] ?? 0) ^ 0x01
  return out
}
const { single, multi } = wesolowskiLines()

const bls = Effect.runSync(makeBls())
const verifier = Effect.runSync(makeBlsVerifier(bls))

describe("FrameVdf over VdfService", () => {
  test("uses the native engine when the library is built", async () => {
    const engine = await run(Effect.map(VdfService, (vdf) => vdf.implementation))
    expect(engine).toBe(existsSync(nativeLibraryPath()) ? "native" : "typescript")
  })

  test("solve reproduces a reference vector; verify and verifyMulti accept the vectors", async () => {
    const line = single.find((l) => l.difficulty === 100)!
    const m = multi[0]!
    const [output, ok, multiOk] = await run(
      Effect.flatMap(FrameVdf, (vdf) =>
        Effect.all([
          vdf.solve(line.challenge, line.difficulty),
          vdf.verify(line.challenge, line.difficulty, line.output),
          vdf.verifyMulti(m.challenge, m.difficulty, m.ids, m.blobs),
        ]),
      ),
    )
    expect(output).toEqual(line.output)
    expect(ok).toBe(true)
    expect(multiOk).toBe(true)
  }, 30_000)

  test("verdicts match the TypeScript reference adapter: wrong difficulty, flipped byte, non-form output are false", async () => {
    const challenge = filled(0x5a, 32)
    const output = await run(Effect.flatMap(FrameVdf, (vdf) => vdf.solve(challenge, 60)))
    const cases: ReadonlyArray<readonly [number, Uint8Array, boolean]> = [
      [60, output, true],
      [61, output, false],
      [60, flipped(output, 200), false],
      [60, flipped(output, 400), false],
      [60, new Uint8Array(516), false], // a = 0 is not a form: malformed, not an error
    ]
    for (const [difficulty, candidate, expected] of cases) {
      const native = await run(Effect.flatMap(FrameVdf, (vdf) => vdf.verify(challenge, difficulty, candidate)))
      const reference = Effect.runSync(referenceTsVdf.verify(challenge, difficulty, candidate))
      expect([native, reference]).toEqual([expected, expected])
    }
  }, 30_000)

  test("argument errors are VdfFailure naming the operation", async () => {
    const failures = await run(
      Effect.flatMap(FrameVdf, (vdf) =>
        Effect.all([
          Effect.flip(vdf.verify(filled(1, 32), 10, new Uint8Array(515))),
          Effect.flip(vdf.verifyMulti(filled(1, 32), 10, [], [])),
          Effect.flip(vdf.solve(filled(1, 32), 2 ** 22 + 1)),
        ]),
      ),
    )
    for (const f of failures) expect(f).toBeInstanceOf(VdfFailure)
    expect(failures.map((f) => f.operation)).toEqual(["verify", "verifyMulti", "solve"])
    expect(failures.map((f) => f.reason.split(":")[0])).toEqual(["VdfInputError", "VdfInputError", "VdfInputError"])
  })

  test("without the native library the same layer runs the TypeScript implementation", () => {
    const script = `
      import { Effect, Layer } from "effect"
      import { NativeFrameVdfFromService } from "./crates/ts/vdf/frame-vdf-live.ts"
      import { VdfLive, VdfService } from "./crates/ts/vdf/vdf.ts"
      import { FrameVdf } from "./crates/ts/services.ts"
      const c = new Uint8Array(32).fill(3)
      const p = Effect.gen(function* () {
        const f = yield* FrameVdf
        const o = yield* f.solve(c, 20)
        return { engine: (yield* VdfService).implementation, ok: yield* f.verify(c, 20, o), other: yield* f.verify(c, 21, o) }
      })
      const r = await Effect.runPromise(p.pipe(Effect.provide(NativeFrameVdfFromService.pipe(Layer.provideMerge(VdfLive)))))
      process.stdout.write("RESULT " + JSON.stringify(r) + "\\n")`
    const child = Bun.spawnSync([process.execPath, "-e", script], {
      cwd: `${import.meta.dir}/../../..`,
      env: { ...process.env, QUILBUN_NATIVE_LIB: "/nonexistent/libquilcrypto.so" },
    })
    // The service's one-time fallback warning is logged on stdout too.
    const line =
      child.stdout
        .toString()
        .split("\n")
        .find((l) => l.startsWith("RESULT ")) ?? "RESULT null"
    expect(JSON.parse(line.slice("RESULT ".length))).toEqual({ engine: "typescript", ok: true, other: false })
  }, 20_000)
})

describe("an app frame with native-VDF multiproofs and real BLS votes", () => {
  const provers = sortByAddress(
    [1, 2, 3, 4].map((i) => {
      const signer = Effect.runSync(makeBlsProverSigner(bls, Redacted.make(filled(0x10 + i, 32))))
      return { address: signer.address, publicKey: signer.publicKey, seniority: 10n, signer }
    }),
  )
  const address = filled(0xa0, 32)
  const ids = provers.map((p) => p.address)

  test("proposal → votes carrying multiproofs → certified frame validates; wrong ids or a tampered proof are BadMultiproof", async () => {
    const genesis = await run(produceAppGenesisHeader({ address, difficulty: 80, prover: provers[0]!.address }))
    const proposed = await run(
      produceAppFrameHeader({
        parent: genesis,
        frameNumber: 5n,
        rank: 1n,
        timestamp: 2_000n,
        difficulty: 90,
        feeMultiplierVote: 100n,
        requestsRoot: filled(0, 64),
        stateRoots: [filled(0, 64), filled(0, 64), filled(0, 64), filled(0, 64)],
        prover: provers[1]!.address,
      }),
    )
    // Voters prove at the parent's difficulty (D-SIG-2); FrameVdf has no prover for multiproofs, so
    // they come from the VdfService the layer wraps.
    const challenge = multiproofChallenge(proposed.parentSelector)
    const proofs = await run(Effect.flatMap(VdfService, (vdf) => Effect.forEach(ids, (_, i) => vdf.proveMulti(challenge, genesis.difficulty, ids, i))))
    const message = makeVoteMessage(address, 1n, poseidon(proposed.output))
    const signatures = provers.map((p) => Effect.runSync(p.signer.sign(message, voteDomain(address))))
    const joint = Effect.runSync(
      bls.aggregate(
        provers.map((p) => p.publicKey),
        signatures,
      ),
    )
    const certify = (extra: ReadonlyArray<Uint8Array>) =>
      new AppFrameHeader({
        ...proposed,
        publicKeySignatureBls48581: new BLS48581AggregateSignature({
          signature: appendMultiproofs(joint.aggregateSignature, extra),
          publicKey: joint.aggregatePublicKey,
          bitmask: makeSignerBitmask([0, 1, 2, 3], provers.length),
        }),
      })
    const validate = (header: AppFrameHeader, multiproofIds: ReadonlyArray<Uint8Array>) =>
      run(Effect.either(validateAppFrame({ header, activeProvers: provers, parent: genesis, multiproofIds })))
    const tag = (r: Either.Either<unknown, { readonly _tag: string }>) => Either.match(r, { onLeft: (e) => e._tag, onRight: () => "Valid" })

    expect(tag(await validate(proposed, ids))).toBe("Valid")
    const certified = await validate(certify(proofs), ids)
    expect(tag(certified)).toBe("Valid")
    expect(Either.getOrThrow(certified).signerIndices).toEqual([0, 1, 2, 3])
    expect(tag(await validate(certify(proofs), [...ids.slice(1), filled(9, 32)]))).toBe("BadMultiproof")
    expect(tag(await validate(certify([proofs[0]!, flipped(proofs[1]!, 100), proofs[2]!, proofs[3]!]), ids))).toBe("BadMultiproof")
    expect(tag(await validate(new AppFrameHeader({ ...certify(proofs), feeMultiplierVote: 101n }), ids))).toBe("BadVdf")
  }, 30_000)
})
