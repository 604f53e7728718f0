// The challenges spend signatures sign (spec §2.5 "Challenge"): HashToScalar over the domain and the
// outputs in the reference's field order, as a 56-byte scalar. Inputs are bound by each signature's
// VK and commitment; fees by the sum rule.
import { concatBytes } from "@noble/hashes/utils.js"
import { u64Bytes } from "./coin.ts"
import { hashToScalar, scalarToBytes } from "./decaf.ts"
import type { CoinOutput } from "./ops/codec.ts"
import type { RecipientOutput } from "./stealth.ts"

/** Transaction: `domain ‖ (Commitment ‖ FrameNumber ‖ CoinBalance ‖ Mask ‖ OneTimeKey ‖ VerificationKey)*`. */
export const transactionChallenge = (domain: Uint8Array, outputs: ReadonlyArray<CoinOutput>): Uint8Array =>
  scalarToBytes(
    hashToScalar(
      concatBytes(
        domain,
        ...outputs.flatMap((o) => [
          o.commitment,
          u64Bytes(o.frameNumber),
          o.recipient.coinBalance,
          o.recipient.mask,
          o.recipient.oneTimeKey,
          o.recipient.verificationKey,
        ]),
      ),
    ),
  )

export interface PendingOutput {
  readonly frameNumber: bigint
  readonly value: bigint
  readonly commitment: Uint8Array
  readonly to: RecipientOutput
  readonly refund: RecipientOutput
  readonly expiration: bigint
}

const bundle = (r: RecipientOutput): Array<Uint8Array> => [r.coinBalance, r.mask, r.oneTimeKey, r.verificationKey]

/** PendingTransaction: `domain ‖ (Commitment ‖ Expiration ‖ FrameNumber ‖ to bundle ‖ refund bundle)*` (divisible: no references). */
export const pendingChallenge = (domain: Uint8Array, outputs: ReadonlyArray<PendingOutput>): Uint8Array =>
  scalarToBytes(
    hashToScalar(
      concatBytes(domain, ...outputs.flatMap((o) => [o.commitment, u64Bytes(o.expiration), u64Bytes(o.frameNumber), ...bundle(o.to), ...bundle(o.refund)])),
    ),
  )
