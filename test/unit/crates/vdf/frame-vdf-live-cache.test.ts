// frameVdfFromVdf's verified-proof cache (crates/ts/vdf/frame-vdf-live.ts): a proof that verified is
// not checked again for the same challenge, difficulty and output; failures always are; any change
// (difficulty beyond u32 included) is a new check.
import { describe, expect, test } from "bun:test"
import { Effect } from "effect"
import type { Vdf } from "../../../../crates/ts/vdf/vdf.ts"
import { frameVdfFromVdf } from "../../../../crates/ts/vdf/frame-vdf-live.ts"

/** A stand-in Vdf whose proofs verify when their first byte is 1, counting the checks it makes. */
const countingVdf = () => {
  const calls = { verify: 0, multi: 0 }
  const vdf: Vdf = {
    implementation: "typescript",
    prove: () => Effect.succeed(new Uint8Array(516)),
    verify: (_c, _i, output) => Effect.sync(() => ((calls.verify += 1), output[0] === 1)),
    proveMulti: () => Effect.succeed(new Uint8Array(516)),
    verifyMulti: (_c, _i, _ids, blobs) => Effect.sync(() => ((calls.multi += 1), blobs.every((b) => b[0] === 1))),
  }
  return { vdf, calls }
}

const challenge = new Uint8Array(32).fill(3)
const good = new Uint8Array(516).fill(1)
const bad = new Uint8Array(516).fill(2)

describe("verified VDF proofs", () => {
  test("a proof that verified is checked once; failures every time", () => {
    const { vdf, calls } = countingVdf()
    const frameVdf = frameVdfFromVdf(vdf)
    expect(Effect.runSync(frameVdf.verify(challenge, 1000, good))).toBe(true)
    expect(Effect.runSync(frameVdf.verify(challenge.slice(), 1000, good.slice()))).toBe(true)
    expect(calls.verify).toBe(1)
    expect(Effect.runSync(frameVdf.verify(challenge, 1000, bad))).toBe(false)
    expect(Effect.runSync(frameVdf.verify(challenge, 1000, bad))).toBe(false)
    expect(calls.verify).toBe(3)
    // Another difficulty (also one that wraps modulo 2^32) or challenge is a new check.
    Effect.runSync(frameVdf.verify(challenge, 1001, good))
    Effect.runSync(frameVdf.verify(challenge, 1000 + 2 ** 32, good))
    Effect.runSync(frameVdf.verify(new Uint8Array(32).fill(4), 1000, good))
    expect(calls.verify).toBe(6)
  })

  test("multi-worker proofs are keyed by ids and outputs", () => {
    const { vdf, calls } = countingVdf()
    const frameVdf = frameVdfFromVdf(vdf)
    const ids = [new Uint8Array([1]), new Uint8Array([2])]
    expect(Effect.runSync(frameVdf.verifyMulti(challenge, 10, ids, [good, good]))).toBe(true)
    expect(Effect.runSync(frameVdf.verifyMulti(challenge, 10, ids, [good, good]))).toBe(true)
    expect(calls.multi).toBe(1)
    Effect.runSync(frameVdf.verifyMulti(challenge, 10, [ids[1]!, ids[0]!], [good, good]))
    Effect.runSync(frameVdf.verifyMulti(challenge, 10, ids, [good, bad]))
    Effect.runSync(frameVdf.verifyMulti(challenge, 10, ids, [good, bad]))
    expect(calls.multi).toBe(4)
  })
})
