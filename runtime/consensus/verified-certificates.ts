import { sha256 } from "@noble/hashes/sha2.js"
import { bytesToHex } from "@noble/hashes/utils.js"
import { encodeQuorumCertificate, type QuorumCertificate } from "./messages/quorum-certificate.ts"
import { encodeTimeoutCertificate, type TimeoutCertificate } from "./messages/timeout-certificate.ts"

/**
 * Certificates that already passed full validation (§3.9), keyed by SHA-256 of a kind byte ‖ their
 * canonical bytes, so one node verifies each distinct QC/TC once however many messages carry it; and
 * same-message aggregate signatures that verified, keyed by (public key, signature, message, domain).
 * Only sound for one committee snapshot and genesis: share an instance only between validations that
 * use the same `committee` and `genesis`. Bounded: the oldest entries are forgotten first.
 */
export class VerifiedCertificates {
  private readonly keys = new Set<string>()

  constructor(readonly capacity = 4_096) {}

  private static key(kind: number, bytes: Uint8Array): string {
    const tagged = new Uint8Array(bytes.length + 1)
    tagged[0] = kind
    tagged.set(bytes, 1)
    return bytesToHex(sha256(tagged))
  }

  private static qcKey = (qc: QuorumCertificate): string => VerifiedCertificates.key(1, encodeQuorumCertificate(qc))
  private static tcKey = (tc: TimeoutCertificate): string => VerifiedCertificates.key(2, encodeTimeoutCertificate(tc))

  private remember(key: string): void {
    this.keys.delete(key)
    this.keys.add(key)
    while (this.keys.size > this.capacity) {
      const oldest = this.keys.values().next()
      if (oldest.done === true) break
      this.keys.delete(oldest.value)
    }
  }

  hasQuorumCertificate(qc: QuorumCertificate): boolean {
    return this.keys.has(VerifiedCertificates.qcKey(qc))
  }

  addQuorumCertificate(qc: QuorumCertificate): void {
    this.remember(VerifiedCertificates.qcKey(qc))
  }

  hasTimeoutCertificate(tc: TimeoutCertificate): boolean {
    return this.keys.has(VerifiedCertificates.tcKey(tc))
  }

  addTimeoutCertificate(tc: TimeoutCertificate): void {
    this.remember(VerifiedCertificates.tcKey(tc))
  }

  /**
   * A same-message aggregate signature that verified (a QC's, or a vote collector's batch check of
   * the same signer set): verification is a function of these bytes, so a second QC with the same
   * signers but another timestamp needs no second pairing check.
   */
  hasAggregateSignature(publicKey: Uint8Array, signature: Uint8Array, message: Uint8Array, domain: Uint8Array): boolean {
    return this.keys.has(VerifiedCertificates.signatureKey(publicKey, signature, message, domain))
  }

  addAggregateSignature(publicKey: Uint8Array, signature: Uint8Array, message: Uint8Array, domain: Uint8Array): void {
    this.remember(VerifiedCertificates.signatureKey(publicKey, signature, message, domain))
  }

  /** The same for a multi-message aggregate (a TC's), where signer i signed messages[i]. */
  hasMultiMessageSignature(publicKeys: ReadonlyArray<Uint8Array>, messages: ReadonlyArray<Uint8Array>, signature: Uint8Array, domain: Uint8Array): boolean {
    return this.keys.has(VerifiedCertificates.multiKey(publicKeys, messages, signature, domain))
  }

  addMultiMessageSignature(publicKeys: ReadonlyArray<Uint8Array>, messages: ReadonlyArray<Uint8Array>, signature: Uint8Array, domain: Uint8Array): void {
    this.remember(VerifiedCertificates.multiKey(publicKeys, messages, signature, domain))
  }

  private static multiKey(publicKeys: ReadonlyArray<Uint8Array>, messages: ReadonlyArray<Uint8Array>, signature: Uint8Array, domain: Uint8Array): string {
    const count = new Uint8Array(4)
    new DataView(count.buffer).setUint32(0, publicKeys.length, false)
    return VerifiedCertificates.key(4, VerifiedCertificates.lengthPrefixed([count, signature, domain, ...publicKeys, ...messages]))
  }

  private static signatureKey(...parts: ReadonlyArray<Uint8Array>): string {
    return VerifiedCertificates.key(3, VerifiedCertificates.lengthPrefixed(parts))
  }

  private static lengthPrefixed(parts: ReadonlyArray<Uint8Array>): Uint8Array {
    // Length-prefixed parts, so no two different tuples share an encoding.
    const total = parts.reduce((n, p) => n + 4 + p.length, 0)
    const out = new Uint8Array(total)
    const view = new DataView(out.buffer)
    let at = 0
    for (const part of parts) {
      view.setUint32(at, part.length, false)
      out.set(part, at + 4)
      at += 4 + part.length
    }
    return out
  }

  get size(): number {
    return this.keys.size
  }
}
