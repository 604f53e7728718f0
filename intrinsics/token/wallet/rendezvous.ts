// Mutual transfer's rendezvous (D-TOKEN-16): `0x01 ‖ account V‖S (112) ‖ expected amount (16, BE) ‖
// nonce (16)`, printed by `mutual-receive` and passed to `mutual-transfer` out of band. The chain is
// the channel: the sender builds the pending's *to* output with the ephemeral scalar
// `r = HashToScalar(tag ‖ nonce ‖ V ‖ S)`, so the receiver's scanner, which already trial-decrypts
// every new pending, recognises this transfer by its one-time key R = r·G. No relay, no new state.
import { bytesToHex, concatBytes, hexToBytes } from "@noble/hashes/utils.js"
import * as Either from "effect/Either"
import { AMOUNT_BYTES, AMOUNT_LIMIT } from "../constants.ts"
import { hashToScalar, mulBase } from "../decaf.ts"
import { type Account, decodeAccount, encodeAccount } from "../stealth.ts"
import { type IndexedRecord, isIncoming } from "./wallet-index.ts"

const VERSION = 0x01
const NONCE_BYTES = 16
const ACCOUNT_BYTES = 112
const RENDEZVOUS_BYTES = 1 + ACCOUNT_BYTES + AMOUNT_BYTES + NONCE_BYTES
const TAG = new TextEncoder().encode("quilbun-mutual-transfer")

export interface Rendezvous {
  readonly account: Account
  /** Raw units the receiver expects (and will accept; nothing else). */
  readonly amount: bigint
  readonly nonce: Uint8Array
}

export const encodeRendezvous = (rv: Rendezvous): string => {
  const amount = new Uint8Array(AMOUNT_BYTES)
  let x = rv.amount
  for (let i = AMOUNT_BYTES - 1; i >= 0; i--) {
    amount[i] = Number(x & 0xffn)
    x >>= 8n
  }
  return `0x${bytesToHex(concatBytes(Uint8Array.of(VERSION), encodeAccount(rv.account), amount, rv.nonce))}`
}

/** A rendezvous as `mutual-receive` prints it, or the one reason it is not one. */
export const decodeRendezvous = (text: string): Either.Either<Rendezvous, string> => {
  const hex = text.startsWith("0x") || text.startsWith("0X") ? text.slice(2) : text
  if (!/^[0-9a-fA-F]*$/.test(hex) || hex.length !== 2 * RENDEZVOUS_BYTES)
    return Either.left(`a rendezvous is ${RENDEZVOUS_BYTES} bytes of hex (as mutual-receive prints it): ${text}`)
  const bytes = hexToBytes(hex.toLowerCase())
  if (bytes[0] !== VERSION) return Either.left(`unknown rendezvous version ${bytes[0]}`)
  const account = decodeAccount(bytes.subarray(1, 1 + ACCOUNT_BYTES))
  if (account === undefined) return Either.left("the rendezvous names no account (its keys are not Decaf448 points)")
  const amount = bytes.subarray(1 + ACCOUNT_BYTES, 1 + ACCOUNT_BYTES + AMOUNT_BYTES).reduce((n, b) => (n << 8n) | BigInt(b), 0n)
  if (amount === 0n || amount >= AMOUNT_LIMIT) return Either.left("the rendezvous expects no amount")
  return Either.right({ account, amount, nonce: bytes.slice(1 + ACCOUNT_BYTES + AMOUNT_BYTES) })
}

/** The ephemeral scalar of the transfer's *to* output: both sides derive it from the rendezvous. */
export const mutualEphemeral = (rv: Rendezvous): bigint => hashToScalar(concatBytes(TAG, rv.nonce, rv.account.view, rv.account.spend))

/** The one-time key R the receiver looks for. */
const expectedOneTimeKey = (rv: Rendezvous): string => bytesToHex(mulBase(mutualEphemeral(rv)).toBytes())

export type MutualMatch =
  | { readonly _tag: "Match"; readonly pending: IndexedRecord }
  | { readonly _tag: "WrongAmount"; readonly pending: IndexedRecord; readonly amount: bigint }
  | { readonly _tag: "None" }

/**
 * The receiver's test over its scanned index: an unspent pending it may accept whose *to* one-time key
 * is the rendezvous's R. Only one of the expected amount is a match; another amount is reported, never
 * accepted (its sender reclaims it after expiration).
 */
export const matchMutual = (rv: Rendezvous, records: ReadonlyArray<IndexedRecord>): MutualMatch => {
  const R = expectedOneTimeKey(rv)
  const found = records.filter((r) => !r.record.spent && isIncoming(r) && r.record.to.oneTimeKey === R)
  const exact = found.find((r) => BigInt(r.value) === rv.amount)
  if (exact !== undefined) return { _tag: "Match", pending: exact }
  const other = found[0]
  return other === undefined ? { _tag: "None" } : { _tag: "WrongAmount", pending: other, amount: BigInt(other.value) }
}
