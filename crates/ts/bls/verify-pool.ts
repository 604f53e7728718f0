// BLS verification on Worker threads. bun:ffi calls are synchronous, so a pairing check (~50 ms on
// BLS48-581) blocks the thread that makes it; a pool runs independent checks concurrently and keeps
// the event loop free meanwhile. The verdicts are the native library's, exactly as in `makeBls`.
import { Effect, Either, Schema, type Scope } from "effect"
import { concatBytes, packLengthPrefixed } from "../native.ts"
import type { Bls } from "./bls.ts"
import { BlsLengthError, BlsNativeError, type BlsError } from "./errors.ts"
import { G2_BYTES, loadNativeBls } from "./native.ts"
import { verdict } from "./status.ts"
import { VerifyWorkerResponse, type VerifyWorkerRequest } from "./verify-protocol.ts"

/** The checks a pool runs, with exactly `Bls`'s contract (verdicts and errors). */
export type BlsVerifyPool = Pick<Bls, "verify" | "verifyMultiMessage">

type Resume = (effect: Effect.Effect<boolean, BlsError>) => void

interface Slot {
  worker: Worker | undefined
  readonly pending: Map<number, { readonly resume: Resume; readonly what: string }>
}

/**
 * `size` Workers (started on first use, each opening the native library), for the life of the Scope.
 * A request goes to the Worker with the fewest outstanding checks. Interrupting a caller abandons its
 * answer (a native check cannot be stopped); a Worker that crashes fails its outstanding checks with
 * `BlsNativeError` and is restarted on the next request.
 */
export const makeBlsVerifyPool = (size: number): Effect.Effect<BlsVerifyPool, BlsNativeError, Scope.Scope> =>
  Effect.gen(function* () {
    if (!Number.isInteger(size) || size < 1)
      return yield* Effect.fail(new BlsNativeError({ reason: `verify pool size must be a positive integer, got ${size}` }))
    const opened = loadNativeBls()
    if ("unavailable" in opened) return yield* Effect.fail(new BlsNativeError({ reason: opened.unavailable }))
    const decode = Schema.decodeUnknownEither(VerifyWorkerResponse)
    const slots: ReadonlyArray<Slot> = Array.from({ length: size }, () => ({ worker: undefined, pending: new Map() }))
    let nextId = 1

    const failAll = (slot: Slot, reason: string) => {
      for (const [, p] of slot.pending) p.resume(Effect.fail(new BlsNativeError({ reason: `${p.what}: ${reason}` })))
      slot.pending.clear()
    }

    const start = (slot: Slot): Worker => {
      const w = new Worker(new URL("./verify-worker.ts", import.meta.url).href)
      w.onmessage = (event: MessageEvent) => {
        const decoded = decode(event.data)
        if (Either.isLeft(decoded)) return
        const res = decoded.right
        const p = slot.pending.get(res.id)
        if (p === undefined) return
        slot.pending.delete(res.id)
        if (slot.pending.size === 0) w.unref()
        p.resume(res._tag === "Verified" ? verdict(res.status, p.what) : Effect.fail(new BlsNativeError({ reason: `${p.what}: ${res.reason}` })))
      }
      w.onerror = (event: ErrorEvent) => {
        failAll(slot, `verify worker failed: ${event.message}`)
        slot.worker = undefined
        w.terminate()
      }
      w.unref()
      return w
    }

    yield* Effect.addFinalizer(() =>
      Effect.sync(() => {
        for (const slot of slots) {
          failAll(slot, "verify pool closed")
          slot.worker?.terminate()
          slot.worker = undefined
        }
      }),
    )

    const post = (what: string, request: (id: number) => VerifyWorkerRequest): Effect.Effect<boolean, BlsError> =>
      Effect.async<boolean, BlsError>((resume) => {
        let slot = slots[0] as Slot
        for (const s of slots) if (s.pending.size < slot.pending.size) slot = s
        const id = nextId++
        const w = (slot.worker ??= start(slot))
        slot.pending.set(id, { resume, what })
        w.ref()
        w.postMessage(request(id))
        const owner = slot
        return Effect.sync(() => {
          if (owner.pending.delete(id) && owner.pending.size === 0) w.unref()
        })
      })

    return {
      verify: (publicKey, signature, domain, message) => post("verify", (id) => ({ _tag: "Verify", id, publicKey, signature, domain, message })),
      verifyMultiMessage: (publicKeys, signature, msgs, domain) => {
        if (publicKeys.length !== msgs.length) {
          return Effect.fail(new BlsLengthError({ reason: `verifyMultiMessage: ${publicKeys.length} keys but ${msgs.length} messages` }))
        }
        if (publicKeys.length === 0 || publicKeys.some((k) => k.length !== G2_BYTES)) {
          return Effect.fail(new BlsLengthError({ reason: `verifyMultiMessage public keys: need a non-empty list of ${G2_BYTES}-byte items` }))
        }
        const packedKeys = concatBytes(publicKeys)
        const messages = packLengthPrefixed(msgs)
        return post("verifyMultiMessage", (id) => ({ _tag: "VerifyMultiMessage", id, publicKeys: packedKeys, signature, messages, domain }))
      },
    }
  })
