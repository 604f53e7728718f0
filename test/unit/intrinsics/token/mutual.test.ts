// Mutual transfer (D-TOKEN-16): the rendezvous round-trips and refuses malformed text with one reason;
// the receiver's matching accepts only the transfer built for its rendezvous with the expected amount
// (another amount is reported, a plain transfer or a spent one is not this rendezvous's).
import { describe, expect, test } from "bun:test"
import { bytesToHex } from "@noble/hashes/utils.js"
import * as Either from "effect/Either"
import { atomId } from "../../../../intrinsics/contract/index.ts"
import { createdCoins, createdPendings, tokenBuilders as b } from "../../../../intrinsics/token/builders.ts"
import { QUIL_TOKEN_ADDRESS, QUIL_UNITS } from "../../../../intrinsics/token/constants.ts"
import type { RecordAnswer } from "../../../../intrinsics/token/queries.ts"
import type { RecipientOutput } from "../../../../intrinsics/token/stealth.ts"
import { decodeRendezvous, encodeRendezvous, matchMutual, mutualEphemeral, type Rendezvous } from "../../../../intrinsics/token/wallet/rendezvous.ts"
import { emptyIndex, withScanned } from "../../../../intrinsics/token/wallet/wallet-index.ts"
import { alice, aliceAccount, bob, bobAccount, build, carol, entropy, testCrypto } from "./fixtures/token-env.ts"

const rv: Rendezvous = { account: bobAccount, amount: 2n * QUIL_UNITS, nonce: new Uint8Array(16).fill(7) }

describe("rendezvous", () => {
  test("round-trips: 0x, version 1, the account, the amount, the nonce", () => {
    const text = encodeRendezvous(rv)
    expect(text).toMatch(/^0x01[0-9a-f]{288}$/)
    expect(decodeRendezvous(text)).toEqual(Either.right(rv))
    expect(decodeRendezvous(text.slice(2).toUpperCase())).toEqual(Either.right(rv))
  })

  test("malformed text is refused with one line naming what is wrong", () => {
    const good = encodeRendezvous(rv).slice(2)
    const cases: Array<[string, string]> = [
      ["0xabcd", "145 bytes of hex"],
      [`0x${good}00`, "145 bytes of hex"],
      [`0x${good.slice(0, -2)}zz`, "145 bytes of hex"],
      [`0x02${good.slice(2)}`, "unknown rendezvous version 2"],
      [`0x01${"ff".repeat(112)}${good.slice(2 + 224)}`, "names no account"],
      [`0x${good.slice(0, 2 + 224)}${"00".repeat(16)}${good.slice(2 + 224 + 32)}`, "expects no amount"],
    ]
    for (const [text, reason] of cases) {
      const r = decodeRendezvous(text)
      if (Either.isRight(r)) throw new Error(`accepted ${text}`)
      expect(r.left).toContain(reason)
      expect(r.left).not.toContain("\n")
    }
  })
})

const hex = (s: RecipientOutput) => ({
  oneTimeKey: bytesToHex(s.oneTimeKey),
  verificationKey: bytesToHex(s.verificationKey),
  coinBalance: bytesToHex(s.coinBalance),
  mask: bytesToHex(s.mask),
})

const [coin] = Either.getOrThrow(createdCoins(build(b.faucet, { to: aliceAccount, values: [10n * QUIL_UNITS], entropy: entropy(1) }), testCrypto))

/** The pendings a transfer of alice's to bob creates, as the node's `record` query answers them. */
const answers = (amount: bigint, seed: number, toEphemeral?: bigint): Array<typeof RecordAnswer.Type> => {
  const bytes = build(b.transfer, {
    keys: alice,
    inputs: coin === undefined ? [] : [coin],
    to: bobAccount,
    amount,
    expiration: 50n,
    fee: 0n,
    entropy: entropy(seed),
    ...(toEphemeral === undefined ? {} : { toEphemeral }),
  })
  return Either.getOrThrow(createdPendings(bytes, testCrypto)).map((p) => ({
    id: bytesToHex(atomId(QUIL_TOKEN_ADDRESS, p.address)),
    kind: "pending" as const,
    frameNumber: String(p.pending.frameNumber),
    commitment: bytesToHex(p.pending.commitment),
    to: hex(p.pending.to),
    refund: hex(p.pending.refund),
    expiration: String(p.pending.expiration),
    spent: false,
  }))
}

const bobSees = (records: ReadonlyArray<typeof RecordAnswer.Type>) => withScanned(emptyIndex(bob), bob, records, "10").records

describe("the receiver's matching", () => {
  test("the transfer built for the rendezvous with the expected amount is a match", () => {
    const sent = answers(rv.amount, 2, mutualEphemeral(rv))
    const found = matchMutual(rv, bobSees(sent))
    expect(found).toMatchObject({ _tag: "Match", pending: { value: String(rv.amount), record: { id: sent[0]?.id ?? "none" } } })
  })

  test("another amount at the rendezvous is reported, not matched", () => {
    const found = matchMutual(rv, bobSees(answers(rv.amount - 1n, 3, mutualEphemeral(rv))))
    expect(found).toMatchObject({ _tag: "WrongAmount", amount: rv.amount - 1n })
  })

  test("a plain transfer of the right amount, another rendezvous, a spent pending, another wallet: no match", () => {
    expect(matchMutual(rv, bobSees(answers(rv.amount, 4)))).toEqual({ _tag: "None" })
    const other: Rendezvous = { ...rv, nonce: new Uint8Array(16).fill(8) }
    expect(matchMutual(rv, bobSees(answers(rv.amount, 5, mutualEphemeral(other))))).toEqual({ _tag: "None" })
    const spent = answers(rv.amount, 6, mutualEphemeral(rv)).map((a) => ({ ...a, spent: true }))
    expect(matchMutual(rv, bobSees(spent))).toEqual({ _tag: "None" })
    // Carol cannot open the pending at all; alice holds only its refund side (outgoing, not acceptable).
    const sent = answers(rv.amount, 7, mutualEphemeral(rv))
    expect(matchMutual(rv, withScanned(emptyIndex(carol), carol, sent, "10").records)).toEqual({ _tag: "None" })
    expect(matchMutual(rv, withScanned(emptyIndex(alice), alice, sent, "10").records)).toEqual({ _tag: "None" })
  })
})
