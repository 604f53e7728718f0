// Applying the prover lifecycle requests committed global frames carry (consensus.md §8.3, §4.7 step 4):
// each request is decoded and run through the global intrinsic's lifecycle step against the records as
// they stand at its frame, in frame and request order. A refused request is skipped (as the reference
// skips failed requests at materialization) — deterministically, since every node holds the same records
// and the same committed frames — so every node's registry ends in the same state (D-REG-7).
import { Effect, Either } from "effect"
import {
  applyLifecycleOpEffect,
  DEVNET_LIFECYCLE,
  decodeLifecycleOp,
  type EffectLifecycleCrypto,
  hexOf,
  type JoinChallenge,
  type LifecycleParams,
  type LifecycleState,
  MAINNET_LIFECYCLE,
} from "../../intrinsics/global/index.ts"
import type { CommittedCredits } from "./reward-feed.ts"

/** Mainnet (network 0) uses the reference's windows; every other network the devnet's (intrinsics/global/README.md). */
export const lifecycleParamsFor = (network: number): LifecycleParams => (network === 0 ? MAINNET_LIFECYCLE : DEVNET_LIFECYCLE)

export interface LifecycleOutcome {
  readonly state: LifecycleState
  /** Addresses (hex) whose records changed. */
  readonly changed: ReadonlySet<string>
  readonly applied: number
  /** `frame/index: reason` of each refused request. */
  readonly refused: ReadonlyArray<string>
}

export const applyCommittedLifecycle = (
  initial: LifecycleState,
  frames: ReadonlyArray<CommittedCredits>,
  params: LifecycleParams,
  crypto: EffectLifecycleCrypto,
  joinChallenge: (n: bigint) => Effect.Effect<JoinChallenge | undefined>,
): Effect.Effect<LifecycleOutcome> =>
  Effect.gen(function* () {
    let state = initial
    const changed = new Set<string>()
    const refused: Array<string> = []
    let applied = 0
    for (const frame of frames) {
      for (const [index, bytes] of (frame.lifecycle ?? []).entries()) {
        const decoded = decodeLifecycleOp(bytes)
        if (Either.isLeft(decoded)) {
          refused.push(`${frame.globalFrameNumber}/${index}: ${decoded.left.message}`)
          continue
        }
        const op = decoded.right
        // The one frame a join can name is fetched before the pure step, which is synchronous.
        const seed = op._tag === "ProverJoin" ? yield* joinChallenge(op.frameNumber) : undefined
        const next = yield* applyLifecycleOpEffect(state, op, { frameNumber: frame.globalFrameNumber, params, joinChallenge: () => seed }, crypto)
        if (Either.isLeft(next)) {
          refused.push(`${frame.globalFrameNumber}/${index}: ${next.left.message}`)
          continue
        }
        for (const [key, prover] of next.right) if (state.get(key) !== prover) changed.add(hexOf(prover.address))
        state = next.right
        applied++
      }
    }
    return { state, changed, applied, refused }
  })
