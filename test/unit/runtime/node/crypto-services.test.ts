// The node's binding of the intrinsics' optional VDF multiproof verifier (used by the global intrinsic's
// join): a natively solved multiproof verifies, the same blobs under other ids or another challenge do not,
// and malformed input is a plain false, never a throw.
import { expect, test } from "bun:test"
import { loadNativeVdf } from "../../../../crates/ts/vdf/native.ts"
import { nodeCryptoServices } from "../../../../runtime/node/intrinsics.ts"

test("nodeCryptoServices.vdfVerifyMulti accepts a real multiproof and refuses altered ones", () => {
  const native = loadNativeVdf()
  if ("unavailable" in native) throw new Error(`the native VDF is required here: ${native.unavailable}`)
  const verify = nodeCryptoServices.vdfVerifyMulti
  if (verify === undefined) throw new Error("the node binds no vdfVerifyMulti")
  const challenge = new Uint8Array(32).fill(3)
  const ids = [Uint8Array.of(1, 2, 3), Uint8Array.of(4, 5, 6)]
  const blobs = ids.map((_, i) => native.solveMulti(challenge, 200, ids, i, 100 + i).output)
  expect(verify(challenge, 200, ids, blobs)).toBe(true)
  expect(verify(challenge, 200, [Uint8Array.of(9), Uint8Array.of(8)], blobs)).toBe(false)
  expect(verify(new Uint8Array(32).fill(4), 200, ids, blobs)).toBe(false)
  expect(verify(challenge, 200, ids, [blobs[0] ?? new Uint8Array()])).toBe(false)
  expect(verify(challenge, 200, ids, [new Uint8Array(516), new Uint8Array(516)])).toBe(false)
}, 60_000)
