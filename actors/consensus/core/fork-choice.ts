import { compareBytes } from "./messages/fields.ts"
import { bitmaskIndices } from "./signer-bitmask.ts"

/**
 * Time-reel branch scoring and fork choice (consensus.md §2.4, reference `fork_choice.go`), all in
 * big-int arithmetic with integer division at every step.
 */

export const SCALE = (1n << 64n) - 1n

export interface ForkChoiceParams {
  readonly rMax: bigint
  readonly wr: bigint
  readonly wp: bigint
  readonly wDenominator: bigint
  readonly alphaNumerator: bigint
  readonly alphaDenominator: bigint
  readonly blendWindow: number
  readonly betaNumerator: bigint
  readonly betaDenominator: bigint
  readonly epsilon: bigint
}

export const defaultForkChoiceParams: ForkChoiceParams = {
  rMax: SCALE,
  wr: 7n,
  wp: 3n,
  wDenominator: 10n,
  alphaNumerator: 9n,
  alphaDenominator: 10n,
  blendWindow: 5,
  betaNumerator: 1n,
  betaDenominator: 10n,
  epsilon: 0n,
}

/** One frame of a branch, as the score sees it. */
export interface ScoredFrame {
  /** Prover-distance input (0 for global frames). */
  readonly distance: bigint
  /** Seniority input (see `signerSeniority`). */
  readonly seniority: bigint
  /** Prover address used for the diversity bonus (global: output[0:32]; app: header.prover). */
  readonly prover: Uint8Array
}

const clamp = (v: bigint, lo: bigint, hi: bigint): bigint => (v < lo ? lo : v > hi ? hi : v)

/** ρ = clamp(((RMax − distance)·SCALE)/RMax, 0, SCALE). */
export const rhoScaled = (distance: bigint, rMax: bigint): bigint => clamp(((rMax - distance) * SCALE) / rMax, 0n, SCALE)

export const frameScore = (f: ScoredFrame, p: ForkChoiceParams = defaultForkChoiceParams): bigint =>
  (p.wr * rhoScaled(f.distance, p.rMax) + p.wp * clamp(f.seniority, 0n, SCALE)) / p.wDenominator

/** Branch score over frames ordered oldest first; an empty branch scores 0. */
export const branchScore = (frames: ReadonlyArray<ScoredFrame>, p: ForkChoiceParams = defaultForkChoiceParams): bigint => {
  if (frames.length === 0) return 0n
  let raw = 0n
  for (const f of frames) raw = (raw * p.alphaNumerator) / p.alphaDenominator + frameScore(f, p)
  const m = Math.min(p.blendWindow, frames.length)
  const recent = frames.slice(frames.length - m)
  const distinct: Array<Uint8Array> = []
  for (const f of recent) {
    if (f.seniority > 0n && !distinct.some((d) => compareBytes(d, f.prover) === 0)) distinct.push(f.prover)
  }
  const blend = (BigInt(distinct.length) * SCALE) / BigInt(m)
  const bonus = SCALE + (blend * p.betaNumerator) / p.betaDenominator
  return (raw * bonus) / SCALE
}

/**
 * `ForkChoice`: start from the previous choice's score and move to branch i only if its score is
 * strictly greater than the best so far plus ε, scanning in order. Returns the chosen index.
 */
export const forkChoice = (
  branches: ReadonlyArray<ReadonlyArray<ScoredFrame>>,
  previousChoice: number,
  p: ForkChoiceParams = defaultForkChoiceParams,
): number => {
  const scores = branches.map((b) => branchScore(b, p))
  let choice = previousChoice
  let best = scores[previousChoice] ?? 0n
  scores.forEach((score, i) => {
    if (score > best + p.epsilon) {
      best = score
      choice = i
    }
  })
  return choice
}

/**
 * Seniority input for a frame: (SCALE/64) × the number of set signer bits not marked as equivocators at
 * that height; a frame without a signature counts as SCALE/64; all bits equivocated gives 0.
 */
export const signerSeniority = (bitmask: Uint8Array | undefined, equivocators: ReadonlySet<number> = new Set()): bigint => {
  if (bitmask === undefined) return SCALE / 64n
  const honest = bitmaskIndices(bitmask).filter((i) => !equivocators.has(i)).length
  return (SCALE / 64n) * BigInt(honest)
}
