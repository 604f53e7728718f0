// reward:ProverReward (spec §2.4): a prover's accrued QUIL, in the *global* domain at
// `0xff×32 ‖ poseidon(QUIL_TOKEN_ADDRESS ‖ proverAddress)`, fields DelegateAddress (32 bytes) and
// Balance (32-byte big-endian). Credited by the global ProverShardUpdate, debited whole by a PoMW mint
// (spec §2.6.5). Defined here with the token's other records so the mint can read it unchanged; no
// operation writes it yet (see README "Not yet": the balances live in the prover registry today).
import { concatBytes } from "@noble/hashes/utils.js"
import * as Either from "effect/Either"
import { atomId, bytesEqual, GLOBAL_INTRINSIC_ADDRESS, malformed, type OpError } from "../contract/index.ts"
import { field } from "./coin.ts"
import { QUIL_TOKEN_ADDRESS } from "./constants.ts"
import { typeMarker } from "./markers.ts"
import { decodeRecord, encodeRecord, fieldKey, type Leaf, leafValue, TYPE_KEY } from "./record.ts"

type Poseidon = (data: Uint8Array) => Uint8Array

export const REWARD_CLASS = "reward:ProverReward"
const BALANCE_BYTES = 32
const BALANCE_LIMIT = 1n << 256n

export interface ProverReward {
  readonly delegateAddress: Uint8Array
  /** Raw units, `< 2^256`. */
  readonly balance: bigint
}

/** The record's id: `0xff×32 ‖ poseidon(QUIL_TOKEN_ADDRESS ‖ proverAddress)`. */
export const rewardRecordId = (poseidon: Poseidon, proverAddress: Uint8Array): Uint8Array =>
  atomId(GLOBAL_INTRINSIC_ADDRESS, poseidon(concatBytes(QUIL_TOKEN_ADDRESS, proverAddress)))

const balanceBytes = (n: bigint): Uint8Array => {
  const b = new Uint8Array(BALANCE_BYTES)
  let x = n
  for (let i = BALANCE_BYTES - 1; i >= 0; i--) {
    b[i] = Number(x & 0xffn)
    x >>= 8n
  }
  return b
}

const rewardLeaves = (r: ProverReward, poseidon: Poseidon): Array<Leaf> => [
  { key: fieldKey(0), value: r.delegateAddress },
  { key: fieldKey(1), value: balanceBytes(r.balance) },
  { key: TYPE_KEY, value: typeMarker(poseidon, GLOBAL_INTRINSIC_ADDRESS, REWARD_CLASS) },
]

/** Refuses (RangeError, a programming error) a balance that does not fit 32 bytes or a delegate that is not 32. */
export const encodeReward = (r: ProverReward, poseidon: Poseidon): Uint8Array => {
  if (r.balance < 0n || r.balance >= BALANCE_LIMIT || r.delegateAddress.length !== 32)
    throw new RangeError("a reward record has a 32-byte delegate and a balance < 2^256")
  return encodeRecord(rewardLeaves(r, poseidon))
}

export const decodeReward = (bytes: Uint8Array, poseidon: Poseidon): Either.Either<ProverReward, OpError> =>
  Either.gen(function* () {
    const leaves = yield* decodeRecord(bytes)
    const type = leafValue(leaves, TYPE_KEY)
    if (type === undefined || !bytesEqual(type, typeMarker(poseidon, GLOBAL_INTRINSIC_ADDRESS, REWARD_CLASS))) {
      return yield* Either.left(malformed(undefined, "not a reward:ProverReward record"))
    }
    if (leaves.length !== 3) return yield* Either.left(malformed(undefined, "a reward record has 3 leaves"))
    const delegateAddress = yield* field(leaves, 0, "DelegateAddress", 32)
    const balance = (yield* field(leaves, 1, "Balance", BALANCE_BYTES)).reduce((n, x) => (n << 8n) | BigInt(x), 0n)
    return { delegateAddress, balance }
  })
