import { encodeQuorumCertificate, type QuorumCertificate } from "./messages/quorum-certificate.ts"
import { encodeTimeoutCertificate, type TimeoutCertificate } from "./messages/timeout-certificate.ts"
import { VerifiedInputs } from "../../../crates/ts/verified-inputs.ts"

/**
 * Certificates that already passed full validation (§3.9), keyed by SHA-256 of a kind byte ‖ their
 * canonical bytes, so one node verifies each distinct QC/TC once however many messages carry it; and
 * same-message aggregate signatures that verified, keyed by (public key, signature, message, domain).
 * Only sound for one committee snapshot and genesis: share an instance only between validations that
 * use the same `committee` and `genesis`. Bounded (verified-inputs.ts): the least recently used are forgotten first.
 */
export class VerifiedCertificates {
  private readonly verified: VerifiedInputs

  constructor(readonly capacity = 4_096) {
    this.verified = new VerifiedInputs(capacity)
  }

  private static qcKey = (qc: QuorumCertificate): string => VerifiedInputs.key(1, [encodeQuorumCertificate(qc)])
  private static tcKey = (tc: TimeoutCertificate): string => VerifiedInputs.key(2, [encodeTimeoutCertificate(tc)])

  hasQuorumCertificate(qc: QuorumCertificate): boolean {
    return this.verified.has(VerifiedCertificates.qcKey(qc))
  }

  addQuorumCertificate(qc: QuorumCertificate): void {
    this.verified.add(VerifiedCertificates.qcKey(qc))
  }

  hasTimeoutCertificate(tc: TimeoutCertificate): boolean {
    return this.verified.has(VerifiedCertificates.tcKey(tc))
  }

  addTimeoutCertificate(tc: TimeoutCertificate): void {
    this.verified.add(VerifiedCertificates.tcKey(tc))
  }

  /**
   * A same-message aggregate signature that verified (a QC's, or a vote collector's batch check of
   * the same signer set): verification is a function of these bytes, so a second QC with the same
   * signers but another timestamp needs no second pairing check.
   */
  hasAggregateSignature(publicKey: Uint8Array, signature: Uint8Array, message: Uint8Array, domain: Uint8Array): boolean {
    return this.verified.has(VerifiedInputs.key(3, [publicKey, signature, message, domain]))
  }

  addAggregateSignature(publicKey: Uint8Array, signature: Uint8Array, message: Uint8Array, domain: Uint8Array): void {
    this.verified.add(VerifiedInputs.key(3, [publicKey, signature, message, domain]))
  }

  /** The same for a multi-message aggregate (a TC's), where signer i signed messages[i]. */
  hasMultiMessageSignature(publicKeys: ReadonlyArray<Uint8Array>, messages: ReadonlyArray<Uint8Array>, signature: Uint8Array, domain: Uint8Array): boolean {
    return this.verified.has(VerifiedCertificates.multiKey(publicKeys, messages, signature, domain))
  }

  addMultiMessageSignature(publicKeys: ReadonlyArray<Uint8Array>, messages: ReadonlyArray<Uint8Array>, signature: Uint8Array, domain: Uint8Array): void {
    this.verified.add(VerifiedCertificates.multiKey(publicKeys, messages, signature, domain))
  }

  private static multiKey(publicKeys: ReadonlyArray<Uint8Array>, messages: ReadonlyArray<Uint8Array>, signature: Uint8Array, domain: Uint8Array): string {
    const count = new Uint8Array(4)
    new DataView(count.buffer).setUint32(0, publicKeys.length, false)
    return VerifiedInputs.key(4, [count, signature, domain, ...publicKeys, ...messages])
  }

  get size(): number {
    return this.verified.size
  }
}
