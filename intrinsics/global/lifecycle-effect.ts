// The lifecycle step for hosts whose verifiers are Effects (the node's BLS may run on worker threads,
// its VDF natively or in TS): the pure step runs twice. Pass 1 answers every crypto question "valid" and
// records it — that walk asks every question the real run can ask, since the real run follows the same
// path until its first "invalid" and then stops. The recorded questions are verified (concurrently),
// and pass 2 answers from those results. Same outcome as the pure step over synchronous verifiers.
import * as Effect from "effect/Effect"
import type * as Either from "effect/Either"
import type { CryptoServices, OpError } from "../contract/index.ts"
import { applyLifecycleOp, type LifecycleCtx, type LifecycleOp } from "./lifecycle.ts"
import type { LifecycleState } from "./records.ts"

export interface EffectLifecycleCrypto {
  readonly poseidon: CryptoServices["poseidon"]
  readonly blsVerify: (publicKey: Uint8Array, signature: Uint8Array, message: Uint8Array, domain: Uint8Array) => Effect.Effect<boolean>
  readonly vdfVerifyMulti: (
    challenge: Uint8Array,
    difficulty: number,
    ids: ReadonlyArray<Uint8Array>,
    blobs: ReadonlyArray<Uint8Array>,
  ) => Effect.Effect<boolean>
}

const hex = (b: Uint8Array): string => Buffer.from(b).toString("hex")
const blsKey = (pk: Uint8Array, sig: Uint8Array, msg: Uint8Array, domain: Uint8Array): string => `bls:${hex(pk)}:${hex(sig)}:${hex(msg)}:${hex(domain)}`
const vdfKey = (challenge: Uint8Array, difficulty: number, ids: ReadonlyArray<Uint8Array>, blobs: ReadonlyArray<Uint8Array>): string =>
  `vdf:${hex(challenge)}:${difficulty}:${ids.map(hex).join(",")}:${blobs.map(hex).join(",")}`

export const applyLifecycleOpEffect = (
  state: LifecycleState,
  op: LifecycleOp,
  ctx: Omit<LifecycleCtx, "crypto">,
  crypto: EffectLifecycleCrypto,
): Effect.Effect<Either.Either<LifecycleState, OpError>> =>
  Effect.gen(function* () {
    const questions = new Map<string, Effect.Effect<boolean>>()
    applyLifecycleOp(state, op, {
      ...ctx,
      crypto: {
        poseidon: crypto.poseidon,
        blsVerify: (pk, sig, msg, domain) => {
          questions.set(blsKey(pk, sig, msg, domain), crypto.blsVerify(pk, sig, msg, domain))
          return true
        },
        vdfVerifyMulti: (challenge, difficulty, ids, blobs) => {
          questions.set(vdfKey(challenge, difficulty, ids, blobs), crypto.vdfVerifyMulti(challenge, difficulty, ids, blobs))
          return true
        },
      },
    })
    const answers = new Map(
      yield* Effect.forEach([...questions], ([key, check]) => Effect.map(check, (ok) => [key, ok] as const), { concurrency: "unbounded" }),
    )
    return applyLifecycleOp(state, op, {
      ...ctx,
      crypto: {
        poseidon: crypto.poseidon,
        blsVerify: (pk, sig, msg, domain) => answers.get(blsKey(pk, sig, msg, domain)) === true,
        vdfVerifyMulti: (challenge, difficulty, ids, blobs) => answers.get(vdfKey(challenge, difficulty, ids, blobs)) === true,
      },
    })
  })
