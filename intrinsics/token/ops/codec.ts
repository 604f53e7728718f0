// Field codecs shared by the transparent token operations: amounts (16-byte big-endian, < 2^128),
// recipient bundles, transaction outputs and fee lists. Readers answer Either (total decoding).
import * as Either from "effect/Either"
import { type CanonicalReader, type CanonicalWriter, malformed, type OpError } from "../../contract/index.ts"
import { AMOUNT_BYTES, MAX_OUTPUTS, POINT_BYTES } from "../constants.ts"
import type { RecipientOutput } from "../stealth.ts"

export const writeAmount = (w: CanonicalWriter, n: bigint): CanonicalWriter => {
  const b = new Uint8Array(AMOUNT_BYTES)
  let x = n
  for (let i = AMOUNT_BYTES - 1; i >= 0; i--) {
    b[i] = Number(x & 0xffn)
    x >>= 8n
  }
  return w.fixed(b)
}

export const readAmount = (r: CanonicalReader, name: string): Either.Either<bigint, OpError> =>
  Either.map(r.fixed(name, AMOUNT_BYTES), (b) => b.reduce((n, x) => (n << 8n) | BigInt(x), 0n))

export const writeRecipient = (w: CanonicalWriter, o: RecipientOutput): CanonicalWriter =>
  w.fixed(o.oneTimeKey).fixed(o.verificationKey).fixed(o.coinBalance).fixed(o.mask)

export const readRecipient = (r: CanonicalReader, name: string): Either.Either<RecipientOutput, OpError> =>
  Either.all({
    oneTimeKey: r.fixed(`${name} one-time key`, POINT_BYTES),
    verificationKey: r.fixed(`${name} verification key`, POINT_BYTES),
    coinBalance: r.fixed(`${name} coin balance`, POINT_BYTES),
    mask: r.fixed(`${name} mask`, POINT_BYTES),
  })

/** A Transaction (or faucet) output: a coin to be, with its public value (spec §11.4 item 3). */
export interface CoinOutput {
  readonly frameNumber: bigint
  readonly value: bigint
  readonly commitment: Uint8Array
  readonly recipient: RecipientOutput
}

export const writeCoinOutput = (w: CanonicalWriter, o: CoinOutput): CanonicalWriter =>
  writeRecipient(writeAmount(w.u64(o.frameNumber), o.value).fixed(o.commitment), o.recipient)

export const readCoinOutput = (r: CanonicalReader): Either.Either<CoinOutput, OpError> =>
  Either.all({
    frameNumber: r.u64("output frame number"),
    value: readAmount(r, "output value"),
    commitment: r.fixed("output commitment", POINT_BYTES),
    recipient: readRecipient(r, "output"),
  })

export const writeFees = (w: CanonicalWriter, fees: ReadonlyArray<bigint>): CanonicalWriter => {
  w.u32(fees.length)
  for (const f of fees) writeAmount(w, f)
  return w
}

/** One fee per output (the reference proto's rule, spec §6.3). */
export const readFees = (r: CanonicalReader, outputs: number, opType: number): Either.Either<Array<bigint>, OpError> =>
  Either.flatMap(
    r.list("fees", (x) => readAmount(x, "fee"), MAX_OUTPUTS),
    (fees) => (fees.length === outputs ? Either.right(fees) : Either.left(malformed(opType, `${fees.length} fees for ${outputs} outputs; one per output`))),
  )
