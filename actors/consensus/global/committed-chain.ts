// The committed global chain as the consensus stores it (consensus_state: frame ‖ QC per number,
// plus the head number), read for those outside the engine that need it without a running actor:
// the chain guard before start-up, the store migration, and the time reel, which keeps only the ids
// of frames whose bodies live here (the chain is stored once).
import type { FrameBodySource } from "../../time-reel/index.ts"
import type { GlobalFrame } from "../core/messages/global-frame.ts"
import type { StoreService } from "../../../runtime/store/index.ts"
import { type CertifiedFrame, committedHeadNumber, committedKey, consensusRows, decodeCertifiedFrame } from "./persistence.ts"

export interface CommittedChain {
  /** The committed head's frame number (0 before the first commit: genesis is derived, never stored). */
  readonly headNumber: () => bigint
  /** Committed frame n with its QC; undefined when not committed (or n = 0). Throws on a corrupt row. */
  readonly frame: (n: bigint) => CertifiedFrame | undefined
}

/** Synchronous reads (call inside `store.read` or a commit). */
export const committedChain = (store: StoreService): CommittedChain => {
  const rows = store.repository(consensusRows)
  return {
    headNumber: () => committedHeadNumber(rows),
    frame: (n) => {
      const bytes = rows.get(committedKey(n))
      return bytes === undefined ? undefined : decodeCertifiedFrame(bytes)
    },
  }
}

/** The committed chain as the global time reel's body source: each body with the selector its QC certifies. */
export const committedFrameBodies = (store: StoreService): FrameBodySource<GlobalFrame> => {
  const chain = committedChain(store)
  return {
    frame: (n) => {
      const c = chain.frame(n)
      return c === undefined ? undefined : { frame: c.frame, selector: c.qc.selector }
    },
  }
}
