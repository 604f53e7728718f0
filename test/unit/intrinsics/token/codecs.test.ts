// Canonical codecs of the token: the three operations and the stored records (coin, pending, the
// leaf list). Round trip, every truncation refused, and decoding total (typed Left, never a throw)
// and canonical under corruption (test/unit/support/codec-properties.ts); plus random buffers.
import { describe, expect, test } from "bun:test"
import * as Either from "effect/Either"
import fc from "fast-check"
import { type Coin, decodeCoin, encodeCoin } from "../../../../intrinsics/token/coin.ts"
import { QUIL_TOKEN_ADDRESS } from "../../../../intrinsics/token/constants.ts"
import type { CoinOutput } from "../../../../intrinsics/token/ops/codec.ts"
import { decodeDevnetFaucet, devnetFaucet } from "../../../../intrinsics/token/ops/devnet-faucet.ts"
import { decodePendingTransaction, pendingTransaction } from "../../../../intrinsics/token/ops/pending-transaction.ts"
import { decodeTransaction, transaction } from "../../../../intrinsics/token/ops/transaction.ts"
import { decodePending, encodePending, type Pending } from "../../../../intrinsics/token/pending.ts"
import { decodeRecord, encodeRecord } from "../../../../intrinsics/token/record.ts"
import { decodeReward, encodeReward, type ProverReward, rewardRecordId } from "../../../../intrinsics/token/reward.ts"
import { codecProperties } from "../../support/codec-properties.ts"
import { testCrypto } from "./fixtures/token-env.ts"

const bytes = (n: number) => fc.uint8Array({ minLength: n, maxLength: n })
const amount = fc.bigInt({ min: 0n, max: (1n << 128n) - 1n })
const u64 = fc.bigInt({ min: 0n, max: (1n << 64n) - 1n })
const side = fc.record({ oneTimeKey: bytes(56), verificationKey: bytes(56), coinBalance: bytes(56), mask: bytes(56) })
const coinOutput: fc.Arbitrary<CoinOutput> = fc.record({ frameNumber: u64, value: amount, commitment: bytes(56), recipient: side })

const withFees = <O>(outputs: fc.Arbitrary<Array<O>>) =>
  outputs.chain((os) => fc.array(amount, { minLength: os.length, maxLength: os.length }).map((fees) => ({ outputs: os, fees })))

codecProperties(
  "token Transaction (0x0589)",
  fc
    .record({
      domain: bytes(32),
      inputs: fc.array(fc.record({ address: bytes(32), value: amount, signature: bytes(224), otherVerificationKey: bytes(56) }), { maxLength: 3 }),
      rest: withFees(fc.array(coinOutput, { maxLength: 3 })),
    })
    .map(({ domain, inputs, rest }) => ({ domain, inputs, ...rest })),
  (tx) => transaction.encode(tx),
  decodeTransaction,
)

codecProperties(
  "token PendingTransaction (0x058C)",
  fc
    .record({
      domain: bytes(32),
      inputs: fc.array(fc.record({ address: bytes(32), value: amount, signature: bytes(224) }), { maxLength: 3 }),
      rest: withFees(
        fc.array(fc.record({ frameNumber: u64, value: amount, commitment: bytes(56), to: side, refund: side, expiration: u64 }), { maxLength: 3 }),
      ),
    })
    .map(({ domain, inputs, rest }) => ({ domain, inputs, ...rest })),
  (tx) => pendingTransaction.encode(tx),
  decodePendingTransaction,
)

codecProperties(
  "token devnet faucet (0x05F1)",
  fc.record({ domain: bytes(32), outputs: fc.array(coinOutput, { maxLength: 3 }) }),
  devnetFaucet.encode,
  decodeDevnetFaucet,
)

const coin: fc.Arbitrary<Coin> = fc.record({
  frameNumber: u64,
  commitment: bytes(56),
  oneTimeKey: bytes(56),
  verificationKey: bytes(56),
  coinBalance: bytes(56),
  mask: bytes(56),
})
codecProperties(
  "coin:Coin record",
  coin,
  (c) => encodeCoin(c, QUIL_TOKEN_ADDRESS, testCrypto.poseidon),
  (b) => decodeCoin(b, QUIL_TOKEN_ADDRESS, testCrypto.poseidon),
  { numRuns: 6 },
)

const pending: fc.Arbitrary<Pending> = fc.record({ frameNumber: u64, commitment: bytes(56), to: side, refund: side, expiration: u64 })
codecProperties(
  "pending:PendingTransaction record",
  pending,
  (p) => encodePending(p, QUIL_TOKEN_ADDRESS, testCrypto.poseidon),
  (b) => decodePending(b, QUIL_TOKEN_ADDRESS, testCrypto.poseidon),
  { numRuns: 6 },
)

codecProperties(
  "reward:ProverReward record",
  fc.record({ delegateAddress: bytes(32), balance: fc.bigInt({ min: 0n, max: (1n << 256n) - 1n }) }) as fc.Arbitrary<ProverReward>,
  (r) => encodeReward(r, testCrypto.poseidon),
  (b) => decodeReward(b, testCrypto.poseidon),
  { numRuns: 6 },
)

test("the reward record lives in the global domain at poseidon(QUIL ‖ prover)", () => {
  const id = rewardRecordId(testCrypto.poseidon, new Uint8Array(32).fill(7))
  expect(Array.from(id.slice(0, 32))).toEqual(Array.from(new Uint8Array(32).fill(0xff)))
  expect(Array.from(id.slice(32))).toEqual(Array.from(testCrypto.poseidon(new Uint8Array([...QUIL_TOKEN_ADDRESS, ...new Uint8Array(32).fill(7)]))))
})

codecProperties(
  "record leaf list",
  fc
    .uniqueArray(fc.record({ key: fc.uint8Array({ minLength: 1, maxLength: 32 }), value: fc.uint8Array({ maxLength: 64 }) }), {
      maxLength: 5,
      selector: (l) => Buffer.from(l.key).toString("hex"),
    })
    .map((leaves) => [...leaves].sort((a, b) => Buffer.compare(a.key, b.key))),
  encodeRecord,
  (b) => decodeRecord(b),
)

describe("random and foreign buffers", () => {
  const decoders = [
    decodeTransaction,
    decodePendingTransaction,
    decodeDevnetFaucet,
    decodeRecord,
    (b: Uint8Array) => decodeCoin(b, QUIL_TOKEN_ADDRESS, testCrypto.poseidon),
  ]
  test("random buffers (with and without a valid prefix) never throw", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), fc.constantFrom(0x0589, 0x058c, 0x05f1), (body, prefix) => {
        const prefixed = new Uint8Array(4 + body.length)
        new DataView(prefixed.buffer).setUint32(0, prefix)
        prefixed.set(body, 4)
        for (const d of decoders) for (const input of [body, prefixed]) expect(() => d(input)).not.toThrow()
      }),
      { numRuns: 200 },
    )
  })
  test("a coin record is not a pending record, and a record of another domain is refused", () => {
    const c = encodeCoin(fc.sample(coin, 1)[0] as Coin, QUIL_TOKEN_ADDRESS, testCrypto.poseidon)
    expect(Either.isLeft(decodePending(c, QUIL_TOKEN_ADDRESS, testCrypto.poseidon))).toBe(true)
    expect(Either.isLeft(decodeCoin(c, new Uint8Array(32), testCrypto.poseidon))).toBe(true)
  })
})
