// The BLS verify Worker (crates/ts/bls/verify-worker.ts) on its own: a well-formed request gets the
// native status, a malformed one with an id is answered as unavailable instead of left hanging.
import { expect, test } from "bun:test"
import { Effect } from "effect"
import { makeBls } from "../../../crates/ts/bls/bls.ts"
import { Status } from "../../../crates/ts/status.ts"

const ask = (message: unknown): Promise<unknown> =>
  new Promise((resolve, reject) => {
    const worker = new Worker(new URL("../../../crates/ts/bls/verify-worker.ts", import.meta.url).href)
    const timer = setTimeout(() => (worker.terminate(), reject(new Error("no answer"))), 10_000)
    worker.onmessage = (event: MessageEvent) => {
      clearTimeout(timer)
      worker.terminate()
      resolve(event.data)
    }
    worker.postMessage(message)
  })

test("answers with the native status, and answers malformed requests", async () => {
  const bls = Effect.runSync(makeBls())
  const kp = Effect.runSync(bls.keygen(new Uint8Array(32).fill(9)))
  const domain = new TextEncoder().encode("d")
  const message = new TextEncoder().encode("m")
  const signature = Effect.runSync(bls.sign(kp.secretKey, domain, message))
  const verify = { _tag: "Verify", id: 1, publicKey: kp.publicKey, signature, domain, message }
  expect(await ask(verify)).toEqual({ _tag: "Verified", id: 1, status: Status.Ok })
  expect(await ask({ ...verify, id: 2, message: new TextEncoder().encode("n") })).toEqual({ _tag: "Verified", id: 2, status: Status.Invalid })
  expect(await ask({ _tag: "Verify", id: 3, publicKey: "not bytes" })).toEqual({ _tag: "Unavailable", id: 3, reason: "malformed verify request" })
}, 20_000)
