import { Data } from "effect"

// Rejections the engine raises itself, beside the certificate and frame rejections of validation
// (certificate-rejection.ts, frame-rejection.ts). Their tags are the `reason` of status rejections.

/** A payload on the consensus bitmask or a sync answer that does not decode. */
export class Undecodable extends Data.TaggedError("Undecodable")<{ readonly detail: string }> {}
/** A proposal whose parent QC is not for the frame's parent. */
export class WrongParentQuorumCertificate extends Data.TaggedError("WrongParentQuorumCertificate")<{ readonly detail: string }> {}
/** A synced frame whose QC does not certify it. */
export class WrongQuorumCertificate extends Data.TaggedError("WrongQuorumCertificate")<{ readonly detail: string }> {}

/** Any tagged error's tag and detail, as status records keep them. */
export interface Rejected {
  readonly _tag: string
  readonly detail: string
}
