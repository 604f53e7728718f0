import { Either, Schema } from "effect"
import type { CanonicalDecodeError } from "../canonical/decode-error.ts"
import { decodeWhole } from "../canonical/reader.ts"
import { TypePrefix } from "../canonical/type-prefix.ts"
import { CanonicalWriter } from "../canonical/writer.ts"
import { Bytes, U64 } from "./fields.ts"
import { BLS48581AddressedSignature, decodeAddressedSignature, encodeAddressedSignature } from "./signatures.ts"

const ProposalVoteLimits = { filter: 64, selector: 32, signature: 634 } as const

/**
 * A vote for a state (or, with an empty selector and frame number 0, the vote inside a timeout)
 * (consensus.md §1.10). Identity = signer address; source = the selector voted for.
 */
export class ProposalVote extends Schema.Class<ProposalVote>("ProposalVote")({
  filter: Bytes,
  rank: U64,
  frameNumber: U64,
  selector: Bytes,
  timestamp: U64,
  publicKeySignatureBls48581: Schema.optional(BLS48581AddressedSignature),
}) {}

export const encodeProposalVote = (v: ProposalVote): Uint8Array =>
  new CanonicalWriter(256)
    .u32(TypePrefix.ProposalVote)
    .bytes(v.filter)
    .u64(v.rank)
    .u64(v.frameNumber)
    .bytes(v.selector)
    .u64(v.timestamp)
    .nested(v.publicKeySignatureBls48581 === undefined ? undefined : encodeAddressedSignature(v.publicKeySignatureBls48581))
    .finish()

export const decodeProposalVote = (input: Uint8Array): Either.Either<ProposalVote, CanonicalDecodeError> =>
  decodeWhole(input, "ProposalVote", (r) =>
    Either.gen(function* () {
      yield* r.typePrefix(TypePrefix.ProposalVote)
      const filter = yield* r.bytes("filter", ProposalVoteLimits.filter)
      const rank = yield* r.u64("rank")
      const frameNumber = yield* r.u64("frame_number")
      const selector = yield* r.bytes("selector", ProposalVoteLimits.selector)
      const timestamp = yield* r.u64("timestamp")
      const sigBytes = yield* r.optionalNested("public_key_signature_bls48581", ProposalVoteLimits.signature)
      const sig = sigBytes === undefined ? undefined : yield* decodeAddressedSignature(sigBytes)
      const fields = { filter, rank, frameNumber, selector, timestamp }
      return new ProposalVote(sig === undefined ? fields : { ...fields, publicKeySignatureBls48581: sig }, true)
    }),
  )
