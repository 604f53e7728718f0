// How long one consensus rank's work takes on this machine, measured at start-up: the devnet pacemaker
// is sized from it (actors/consensus/global/config.ts devnetTimingFor). A rank costs the leader's VDF
// solve, then on every node the checks of the proposal (its VDF, its vote and parent QC: pairings), a
// vote signature, and the aggregate check of the votes. The class-group VDF costs the same per
// iteration at any difficulty, so a short solve predicts a long one.
import { Effect } from "effect"
import type { BlsVerifierService, FrameVdfService, ProverSignerService } from "../../crates/ts/services.ts"

/** Iterations of the calibration solve (≈ 40 ms with the native solver). */
const CALIBRATION_ITERATIONS = 2_000
/** Each measurement is repeated and the fastest counts: nodes starting beside others share the cores for a moment. */
const REPEATS = 2
/** Pairing checks and signatures on a rank's critical path (proposal vote, parent QC, TC, aggregate; vote, proposal). */
const VERIFIES_PER_RANK = 6
const SIGNATURES_PER_RANK = 2

export interface RankWorkEstimate {
  readonly vdfSolveMs: number
  readonly blsVerifyMs: number
  readonly blsSignMs: number
  /** The critical path of one rank: solve + pairings + signatures. */
  readonly rankWorkMs: number
}

const fastestOf = <E>(run: (i: number) => Effect.Effect<unknown, E>): Effect.Effect<number, E> =>
  Effect.gen(function* () {
    yield* run(-1) // warm-up: loading the solver, the first pairing tables
    let fastest = Number.POSITIVE_INFINITY
    for (let i = 0; i < REPEATS; i++) {
      const started = performance.now()
      yield* run(i)
      fastest = Math.min(fastest, performance.now() - started)
    }
    return fastest
  })

export const estimateRankWork = (
  services: { readonly vdf: FrameVdfService; readonly verifier: BlsVerifierService; readonly signer: ProverSignerService },
  difficulty: number,
): Effect.Effect<RankWorkEstimate> =>
  Effect.gen(function* () {
    const encoder = new TextEncoder()
    const domain = encoder.encode("quilbun-calibration")
    const iterations = Math.max(1, Math.min(difficulty, CALIBRATION_ITERATIONS))
    const solve = yield* fastestOf(() => services.vdf.solve(encoder.encode("quilbun pacemaker calibration"), iterations))
    const vdfSolveMs = (solve / iterations) * difficulty
    // Distinct messages: verifiers remember what they already checked.
    const messages = Array.from({ length: REPEATS + 1 }, (_, i) => encoder.encode(`calibration message ${i}`))
    const signatures: Array<Uint8Array> = []
    const blsSignMs = yield* fastestOf((i) => Effect.map(services.signer.sign(messages[i + 1] ?? domain, domain), (s) => signatures.push(s)))
    const blsVerifyMs = yield* fastestOf((i) =>
      services.verifier.verify(services.signer.publicKey, signatures[i + 1] ?? domain, messages[i + 1] ?? domain, domain),
    )
    return {
      vdfSolveMs,
      blsVerifyMs,
      blsSignMs,
      rankWorkMs: vdfSolveMs + VERIFIES_PER_RANK * blsVerifyMs + SIGNATURES_PER_RANK * blsSignMs,
    }
  }).pipe(Effect.orElseSucceed((): RankWorkEstimate => ({ vdfSolveMs: 0, blsVerifyMs: 0, blsSignMs: 0, rankWorkMs: 0 })))
