// The devnet on the real TypeScript Wesolowski VDF (crates/ts/vdf) at devnet difficulty: slow, so only
// a few frames. The other simulations use the insecure hash stand-in.
import { hexToBytes } from "@noble/hashes/utils.js"
import { expect, test } from "bun:test"
import { Effect } from "effect"
import { decodeCertifiedFrame } from "../../actors/consensus/global/persistence.ts"
import { referenceTsVdf } from "../../crates/ts/vdf/reference-frame-vdf.ts"
import { insecureTestVdf } from "../../runtime/testing/insecure-test-vdf.ts"
import { globalChallenge } from "../../actors/consensus/core/vdf-challenge.ts"
import { allAtLeast, chainOf, runDevnet } from "./helpers.ts"

test("4 nodes commit frames whose outputs verify with the reference VDF", async () => {
  const r = await runDevnet({ nodes: 4, seed: 61, vdf: "reference-ts", consensus: { stopAfterFrame: 4n, genesisDifficulty: 2 } }, (devnet) =>
    Effect.gen(function* () {
      const reached = yield* devnet.runUntil(allAtLeast(devnet, 3n), { maxMs: 30_000, stepMs: 100 })
      const chains = yield* Effect.forEach([0, 1, 2, 3], (i) => chainOf(devnet, i, 3n))
      return { reached, chains }
    }),
  )
  expect(r.reached).toBe(true)
  for (const c of r.chains) expect(c).toEqual(r.chains[0] ?? [])
  const frames = (r.chains[0] ?? []).map((h) => decodeCertifiedFrame(hexToBytes(h)).frame.header)
  expect(frames.length).toBe(3)
  for (const h of frames) {
    expect(h.difficulty).toBe(2)
    expect(Effect.runSync(referenceTsVdf.verify(globalChallenge(h), h.difficulty, h.output))).toBe(true)
    // And they are not the hash stand-in's outputs.
    expect(Effect.runSync(insecureTestVdf.verify(globalChallenge(h), h.difficulty, h.output))).toBe(false)
  }
}, 90_000)
