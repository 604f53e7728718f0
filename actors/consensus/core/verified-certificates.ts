import { encodeQuorumCertificate, type QuorumCertificate } from "./messages/quorum-certificate.ts"
import { encodeTimeoutCertificate, type TimeoutCertificate } from "./messages/timeout-certificate.ts"
import { VerifiedInputs } from "../../../crates/ts/verified-inputs.ts"

/**
 * Certificates that already passed full validation (§3.9), keyed by SHA-256 of a kind byte ‖ their
 * canonical bytes, so one node verifies each distinct QC/TC once however many messages carry it; and
 * same-message aggregate signatures that verified, keyed by (public key, signature, message, domain).
 * A certificate's validity depends on the committee it is checked against: share an instance only between
 * validations that use the same `committee` and `genesis`, and give each committee its own `scoped` view
 * (the QC/TC entries are keyed by the scope; aggregate-signature entries are a function of their bytes
 * alone and are shared). Bounded (verified-inputs.ts): the least recently used are forgotten first.
 */
export class VerifiedCertificates {
  private readonly verified: VerifiedInputs
  private readonly scope: Uint8Array

  constructor(
    readonly capacity = 4_096,
    shared?: { readonly inputs: VerifiedInputs; readonly scope: string },
  ) {
    this.verified = shared?.inputs ?? new VerifiedInputs(capacity)
    this.scope = new TextEncoder().encode(shared?.scope ?? "")
  }

  /** The same cache seen by another committee: its certificates are not this one's. */
  scoped(scope: string): VerifiedCertificates {
    return new VerifiedCertificates(this.capacity, { inputs: this.verified, scope })
  }

  private qcKey = (qc: QuorumCertificate): string => VerifiedInputs.key(1, [this.scope, encodeQuorumCertificate(qc)])
  private tcKey = (tc: TimeoutCertificate): string => VerifiedInputs.key(2, [this.scope, encodeTimeoutCertificate(tc)])

  hasQuorumCertificate(qc: QuorumCertificate): boolean {
    return this.verified.has(this.qcKey(qc))
  }

  addQuorumCertificate(qc: QuorumCertificate): void {
    this.verified.add(this.qcKey(qc))
  }

  hasTimeoutCertificate(tc: TimeoutCertificate): boolean {
    return this.verified.has(this.tcKey(tc))
  }

  addTimeoutCertificate(tc: TimeoutCertificate): void {
    this.verified.add(this.tcKey(tc))
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
