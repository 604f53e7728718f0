import { shake256 } from "@noble/hashes/sha3.js"
import { Effect, Layer } from "effect"
import { concatBytes } from "../../actors/consensus/core/canonical/writer.ts"
import { FrameVdf, type FrameVdfService } from "../../crates/ts/services.ts"

/**
 * INSECURE hash stand-in for the Wesolowski VDF: output = SHAKE256(label ‖ u32 difficulty ‖ challenge)
 * truncated to 516 bytes. It has the VDF's interface and determinism but no sequential work and no
 * soundness. For fast unit tests and simulated devnets only; the real TS/native VDF replaces it.
 */
const OUTPUT_BYTES = 516
const label = new TextEncoder().encode("quilbun-insecure-test-vdf")

const u32 = (n: number): Uint8Array => {
  const b = new Uint8Array(4)
  new DataView(b.buffer).setUint32(0, n, false)
  return b
}

export const insecureTestVdfOutput = (challenge: Uint8Array, difficulty: number, id: Uint8Array = new Uint8Array()): Uint8Array =>
  shake256(concatBytes(label, u32(difficulty), u32(id.length), id, challenge), { dkLen: OUTPUT_BYTES })

const equal = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && a.every((v, i) => v === b[i])

export const insecureTestVdf: FrameVdfService = {
  solve: (challenge, difficulty) => Effect.sync(() => insecureTestVdfOutput(challenge, difficulty)),
  solveMulti: (challenge, difficulty, ids, index) => Effect.sync(() => insecureTestVdfOutput(challenge, difficulty, ids[index])),
  verify: (challenge, difficulty, output) => Effect.sync(() => equal(insecureTestVdfOutput(challenge, difficulty), output)),
  verifyMulti: (challenge, difficulty, ids, outputs) =>
    Effect.sync(
      () =>
        ids.length > 0 &&
        ids.length === outputs.length &&
        ids.every((id, i) => {
          const output = outputs[i]
          return output !== undefined && equal(insecureTestVdfOutput(challenge, difficulty, id), output)
        }),
    ),
}

export const InsecureTestVdfLive = Layer.succeed(FrameVdf, insecureTestVdf)
