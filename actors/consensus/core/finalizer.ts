// Commit (2-chain finalization, D-GC-2): each newly known QC may finalize a chain of states in Forks.
// The finalized states move the Forks root at once, and wait here until the message's handling is done,
// when they become committed frames carrying their certifying QC's aggregate (§1.4 step 3).
import type { CertifiedFrame, ChainFrame, ChainKind, ChainProposal } from "./chain-kind.ts"
import type { Forks, StateNode } from "./forks.ts"
import type { QuorumCertificate } from "./messages/quorum-certificate.ts"

export class Finalizer<F extends ChainFrame, P extends ChainProposal<F>> {
  private pending: Array<{ readonly node: StateNode<F, P>; readonly qc: QuorumCertificate }> = []

  constructor(
    private readonly kind: ChainKind<F, P>,
    /** Called with a finalization that does not extend the committed root (more than f byzantine). */
    private readonly onConflict: (detail: string) => void,
  ) {}

  /** Collects what the QC of `certifiedSelector` finalizes and advances the Forks root past it. */
  check(forks: Forks<F, P>, certifiedSelector: string): void {
    const result = forks.finalizeFor(certifiedSelector)
    if (result._tag === "Conflict") {
      this.onConflict(result.detail)
      return
    }
    if (result._tag !== "Finalize") return
    const last = result.chain[result.chain.length - 1]
    if (last === undefined) return
    // Keep only what extends the last pending or committed head.
    const tipNumber = this.pending[this.pending.length - 1]?.node.frameNumber ?? forks.root.node.frameNumber
    for (const c of result.chain) if (c.node.frameNumber > tipNumber) this.pending.push({ node: c.node, qc: c.qc })
    forks.advanceRoot({ node: last.node, qc: last.qc })
  }

  /** The finalized states collected so far as committed frames, oldest first; empties the list. */
  take(): ReadonlyArray<CertifiedFrame<F>> {
    const chain = this.pending
    this.pending = []
    return chain.map(({ node, qc }) => ({
      frame: qc.aggregateSignature === undefined ? node.frame : this.kind.withCertificateSignature(node.frame, qc.aggregateSignature),
      qc,
    }))
  }
}
