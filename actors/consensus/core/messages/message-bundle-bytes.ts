import { Either } from "effect"
import { CanonicalBadTypePrefix, type CanonicalDecodeError, CanonicalTruncated } from "../canonical/decode-error.ts"
import { TypePrefix } from "../canonical/type-prefix.ts"

/**
 * Frames carry `MessageBundle`s whose requests belong to the execution layer. Consensus treats each bundle
 * as opaque canonical bytes (its hash is what the requests tree commits to), checking only that it is a
 * MessageBundle; the execution layer decodes the requests.
 */
export const checkMessageBundleBytes = (field: string, bytes: Uint8Array): Either.Either<Uint8Array, CanonicalDecodeError> => {
  if (bytes.length < 4) {
    return Either.left(new CanonicalTruncated({ field, offset: 0, needed: 4, available: bytes.length }))
  }
  const prefix = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(0, false)
  return prefix === TypePrefix.MessageBundle
    ? Either.right(bytes)
    : Either.left(new CanonicalBadTypePrefix({ message: field, expected: TypePrefix.MessageBundle, actual: prefix }))
}
