import { Effect, Layer } from "effect"
import { solve, solveMulti, verify, verifyMulti } from "./wesolowski.ts"
import { FrameVdf, type FrameVdfService, VdfFailure } from "../services.ts"

/**
 * FrameVdf over the TypeScript reference Wesolowski VDF (crates/ts/vdf). Exact but slow (BigInt
 * squarings): for tests and devnets at tiny difficulty. Nodes wire the native VDF instead.
 * A malformed or wrong-length proof is a failed verification, not an error.
 */
const failure = (operation: string) => (cause: unknown) => new VdfFailure({ operation, reason: cause instanceof Error ? cause.message : String(cause) })

export const referenceTsVdf: FrameVdfService = {
  solve: (challenge, difficulty) => Effect.try({ try: () => solve(challenge, difficulty), catch: failure("solve") }),
  solveMulti: (challenge, difficulty, ids, index) => Effect.try({ try: () => solveMulti(challenge, difficulty, ids, index), catch: failure("solveMulti") }),
  verify: (challenge, difficulty, output) => Effect.try({ try: () => verify(challenge, difficulty, output) === "valid", catch: failure("verify") }),
  verifyMulti: (challenge, difficulty, ids, outputs) =>
    Effect.try({ try: () => verifyMulti(challenge, difficulty, ids, outputs) === "valid", catch: failure("verifyMulti") }),
}

export const ReferenceTsVdfLive = Layer.succeed(FrameVdf, referenceTsVdf)
