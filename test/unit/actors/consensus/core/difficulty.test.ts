import { describe, expect, test } from "bun:test"
import {
  asertExponent,
  asertParamsForNetwork,
  devnetAsertParams,
  globalFrameDifficulty,
  mainnetAsertParams,
  nextDifficulty,
  otherNetworkAsertParams,
  toHeaderDifficulty,
} from "../../../../../actors/consensus/core/difficulty.ts"

const A = 1_762_862_400_000n
const U64_MAX = (1n << 64n) - 1n
const with160k = { ...mainnetAsertParams, anchorDifficulty: 160_000n }

describe("ASERT (consensus.md §5)", () => {
  // Expected values computed by hand from the §5 formula (an independent big-int evaluation with Go
  // int64 semantics); they agree with every row of the spec's Appendix B.
  const table: ReadonlyArray<readonly [bigint, bigint, bigint, bigint]> = [
    // frame, t − A, anchor 80000, anchor 160000
    [244_200n, 0n, 80_076n, 160_153n],
    [244_201n, 10_000n, 80_076n, 160_153n],
    [244_210n, 100_000n, 80_076n, 160_153n],
    [244_201n, 20_000n, 80_000n, 160_000n],
    [244_201n, 5_000n, 80_115n, 160_231n],
    [244_300n, 5_000_000n, 54_479n, 108_959n],
    [245_200n, 500_000n, 199_841n, 399_682n],
    [244_300n, 1_000_000_000n, 50_000n, 50_000n],
    [244_201n, -10_000n, 80_231n, 160_463n],
    [254_200n, 100_000_000n, 80_076n, 160_153n],
    [244_199n, 0n, 80_000n, 160_000n],
    [0n, 0n, 50_000n, 50_000n],
  ]
  for (const [frame, dt, d80, d160] of table) {
    test(`frame ${frame}, t = A ${dt >= 0n ? "+" : "−"} ${dt < 0n ? -dt : dt} ms → ${d80} / ${d160}`, () => {
      expect(nextDifficulty(mainnetAsertParams, frame, A + dt)).toBe(d80)
      expect(nextDifficulty(with160k, frame, A + dt)).toBe(d160)
    })
  }

  test("exponent 91 at the anchor: 655,360,000 / 7,200,000 truncated", () => {
    expect(asertExponent(mainnetAsertParams, 244_200n, A)).toBe(91n)
  })

  test("Go truncating division: a negative exponent rounds toward zero", () => {
    // lag = +1 ms → −65536 / 7,200,000 = −0.0091 → 0 (floor would give −1)
    expect(asertExponent(mainnetAsertParams, 244_200n, A + 10_001n)).toBe(0n)
    // lag = +200 ms → −13,107,200 / 7,200,000 = −1.82 → −1
    expect(asertExponent(mainnetAsertParams, 244_200n, A + 10_200n)).toBe(-1n)
  })

  test("anchor identity: on schedule (lag 0) the anchor difficulty comes back exactly", () => {
    for (const k of [0n, 1n, 7n, 360n, 10_000n]) {
      expect(nextDifficulty(mainnetAsertParams, 244_200n + k, A + 10_000n * (k + 1n))).toBe(80_000n)
    }
  })

  test("one half-life ahead doubles, one half-life behind halves", () => {
    expect(nextDifficulty(mainnetAsertParams, 244_200n, A + 10_000n - 7_200_000n)).toBe(160_000n)
    expect(nextDifficulty(with160k, 244_200n, A + 10_000n + 7_200_000n)).toBe(80_000n)
  })

  test("floor clamp at 50,000, and 50,000 when the anchor difficulty is 0", () => {
    expect(nextDifficulty(mainnetAsertParams, 244_200n, A + 10_000n + 7_200_000n)).toBe(50_000n)
    expect(nextDifficulty({ ...mainnetAsertParams, anchorDifficulty: 0n }, 244_300n, A)).toBe(50_000n)
  })

  test("more than 48 doublings saturates to 2^64 − 1; the header cast truncates to uint32", () => {
    expect(nextDifficulty(mainnetAsertParams, 244_200n, A - 720_000_000n)).toBe(U64_MAX)
    expect(toHeaderDifficulty(U64_MAX)).toBe(0xffff_ffff)
    // 20 doublings: 80000·2^20 = 83,886,080,000 ≥ 2^32 wraps in the uint32 header field.
    const big = nextDifficulty(mainnetAsertParams, 244_200n, A + 10_000n - 20n * 7_200_000n)
    expect(big).toBe(83_886_080_000n)
    expect(toHeaderDifficulty(big)).toBe(Number(83_886_080_000n % (1n << 32n)))
  })

  test("monotonic: slower blocks never raise, more frames at the same time never lower", () => {
    let previous = U64_MAX
    for (let dt = -3_000_000n; dt <= 30_000_000n; dt += 250_000n) {
      const d = nextDifficulty(mainnetAsertParams, 244_500n, A + dt)
      expect(d <= previous).toBe(true)
      previous = d
    }
    let last = 0n
    for (let n = 244_200n; n <= 250_000n; n += 97n) {
      const d = nextDifficulty(mainnetAsertParams, n, A + 5_000_000n)
      expect(d >= last).toBe(true)
      last = d
    }
  })

  test("10,000 frames at the ideal pace stay at the anchor", () => {
    const d = nextDifficulty(with160k, 254_200n, A + 10_000n * 10_001n)
    expect(d).toBe(160_000n)
  })

  test("network selection and devnet override", () => {
    expect(asertParamsForNetwork(0)).toBe(mainnetAsertParams)
    expect(asertParamsForNetwork(99).anchorFrameNumber).toBe(0n)
    expect(nextDifficulty(otherNetworkAsertParams, 0n, A + 10_000n)).toBe(80_000n)
    const devnet = devnetAsertParams({ anchorDifficulty: 100n, minimumDifficulty: 10n, anchorParentTime: 0n })
    expect(nextDifficulty(devnet, 0n, 10_000n)).toBe(100n)
    expect(nextDifficulty(devnet, 0n, 10_000n + 7_200_000n)).toBe(50n)
    expect(nextDifficulty(devnet, 0n, 10_000n + 100n * 7_200_000n)).toBe(10n)
  })

  test("the global engine passes the rank as the frame number (D-DIFF-1)", () => {
    expect(globalFrameDifficulty(mainnetAsertParams, 244_201n, A + 20_000n)).toBe(80_000)
    expect(globalFrameDifficulty(mainnetAsertParams, 244_201n, A + 20_000n)).toBe(Number(nextDifficulty(mainnetAsertParams, 244_201n, A + 20_000n)))
  })
})
