import { hexToBytes } from "@noble/hashes/utils.js"
import { describe, expect, test } from "bun:test"
import {
  branchScore,
  defaultForkChoiceParams,
  forkChoice,
  frameScore,
  rhoScaled,
  SCALE,
  type ScoredFrame,
  signerSeniority,
} from "../../../../../actors/consensus/core/fork-choice.ts"
import { filled } from "./support/hex.ts"

const frame = (prover: number, seniority: bigint, distance = 0n): ScoredFrame => ({ prover: filled(prover, 32), seniority, distance })

describe("fork choice (§2.4)", () => {
  test("rhoScaled with RMax 1000", () => {
    expect(rhoScaled(0n, 1000n)).toBe(SCALE)
    expect(rhoScaled(500n, 1000n)).toBe(SCALE / 2n)
    expect(rhoScaled(1000n, 1000n)).toBe(0n)
    expect(rhoScaled(1500n, 1000n)).toBe(0n)
  })

  test("frame score = (7ρ + 3π)/10", () => {
    expect(frameScore(frame(1, 0n))).toBe((7n * SCALE) / 10n)
    expect(frameScore(frame(1, SCALE))).toBe(SCALE)
  })

  test("branch score: decayed sum times the diversity bonus, computed by hand", () => {
    expect(branchScore([])).toBe(0n)
    const s = SCALE / 64n
    const f1 = frameScore(frame(1, s))
    const f2 = frameScore(frame(2, s))
    const raw = (f1 * 9n) / 10n + f2
    // two distinct provers with seniority in a window of m = 2 → blend = SCALE, bonus = SCALE + SCALE/10
    expect(branchScore([frame(1, s), frame(2, s)])).toBe((raw * (SCALE + SCALE / 10n)) / SCALE)
    // the same prover twice: u = 1 of m = 2
    const sameRaw = (f1 * 9n) / 10n + f1
    expect(branchScore([frame(1, s), frame(1, s)])).toBe((sameRaw * (SCALE + SCALE / 2n / 10n)) / SCALE)
  })

  test("more signers win; ties keep the previous choice; all-empty sticks", () => {
    const one = [frame(1, signerSeniority(hexToBytes("01")))]
    const three = [frame(2, signerSeniority(hexToBytes("07")))]
    expect(forkChoice([one, three], 0)).toBe(1)
    expect(forkChoice([three, one], 0)).toBe(0)
    expect(forkChoice([one, one], 1)).toBe(1)
    expect(forkChoice([[], []], 1)).toBe(1)
    expect(forkChoice([[], one], 0)).toBe(1)
  })

  test("signer seniority input", () => {
    expect(signerSeniority(undefined)).toBe(SCALE / 64n)
    expect(signerSeniority(hexToBytes("0b"))).toBe((SCALE / 64n) * 3n)
    expect(signerSeniority(hexToBytes("0b"), new Set([0, 1]))).toBe(SCALE / 64n)
    expect(signerSeniority(hexToBytes("03"), new Set([0, 1]))).toBe(0n)
    expect(defaultForkChoiceParams.rMax).toBe(SCALE)
  })
})
