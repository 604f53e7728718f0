// Persist-then-send (D-HS-5, D-GC-4): each handled message ends with at most one durable commit of the
// state writes it produced, and only then are its payloads published. A vote, an own proposal or a
// timeout leaves only after the safety state that forbids signing a conflicting one is on disk.
import { bytesToHex } from "@noble/hashes/utils.js"
import { Effect } from "effect"
import type { CertifiedFrame } from "./chain-kind.ts"
import type { EnginePorts, StateRecord, StateWrite, StoredProposalKey } from "./engine-ports.ts"
import type { ConsensusState } from "./safety-rules.ts"

const proposalId = (key: StoredProposalKey): string => `proposal:${key.rank}:${bytesToHex(key.selector)}`

/** One id per stored row, so a later write of the same row replaces an earlier one. */
const recordId = <F extends { readonly header: { readonly frameNumber: bigint } }, P>(record: StateRecord<F, P>): string => {
  switch (record._tag) {
    case "Safety":
      return "safety"
    case "Liveness":
      return "liveness"
    case "Head":
      return "head"
    case "Committed":
      return `committed:${record.certified.frame.header.frameNumber}`
    case "Proposal":
      return proposalId(record)
  }
}

export type OutboxPorts<F, P> = Pick<EnginePorts<F, P>, "persist" | "publish" | "storedProposalKeys">

export class Outbox<F extends { readonly header: { readonly frameNumber: bigint; readonly rank: bigint } }, P> {
  /** Writes of this and earlier messages not yet committed. */
  private readonly writes = new Map<string, StateWrite<F, P>>()
  /** Payloads to publish once the writes they depend on are durable. */
  private payloads: Array<Uint8Array> = []
  /** Set when an outgoing message must not leave before the writes are committed (safety state). */
  private mustCommit = false
  private committedSinceFlush: Array<CertifiedFrame<F>> = []

  constructor(private readonly ports: OutboxPorts<F, P>) {}

  put(record: StateRecord<F, P>): void {
    this.writes.set(recordId(record), { _tag: "Put", record })
  }

  /** A write that must be durable before anything in the outbox is sent (D-GC-4). */
  putSafety(state: ConsensusState): void {
    this.put({ _tag: "Safety", state })
    this.mustCommit = true
  }

  send(payload: Uint8Array): void {
    this.payloads.push(payload)
  }

  /**
   * Newly committed frames (finalized or adopted from sync), oldest first: each frame, the head pointer,
   * and the stored proposals the head makes unnecessary for recovery. Forces a commit at the next flush.
   */
  commitFrames(frames: ReadonlyArray<CertifiedFrame<F>>): void {
    const head = frames[frames.length - 1]
    if (head === undefined) return
    for (const certified of frames) this.put({ _tag: "Committed", certified })
    this.put({ _tag: "Head", frameNumber: head.frame.header.frameNumber })
    this.dropStoredProposalsUpTo(head.frame.header.rank)
    this.committedSinceFlush.push(...frames)
  }

  /** Stored proposals at or below a committed rank are no longer needed for recovery. */
  private dropStoredProposalsUpTo(rank: bigint): void {
    for (const key of this.ports.storedProposalKeys()) if (key.rank <= rank) this.writes.set(proposalId(key), { _tag: "DeleteProposal", key })
    for (const [id, w] of [...this.writes]) {
      if (w._tag === "Put" && w.record._tag === "Proposal" && w.record.rank <= rank) {
        this.writes.set(id, { _tag: "DeleteProposal", key: { rank: w.record.rank, selector: w.record.selector } })
      }
    }
  }

  /**
   * Commits the pending writes when something requires it (a safety-state change, newly committed
   * frames), runs `afterCommit` with the frames that commit made final, then publishes. Liveness and
   * proposal writes alone ride along with the next commit: both are recoverable from peers, safety
   * state is not.
   */
  flush(afterCommit: (committed: ReadonlyArray<CertifiedFrame<F>>) => Effect.Effect<void>): Effect.Effect<void> {
    return Effect.gen(this, function* () {
      if (this.mustCommit || this.committedSinceFlush.length > 0) {
        const writes = [...this.writes.values()]
        this.writes.clear()
        this.mustCommit = false
        yield* this.ports.persist(writes)
        const committed = this.committedSinceFlush
        this.committedSinceFlush = []
        if (committed.length > 0) yield* afterCommit(committed)
      }
      const payloads = this.payloads
      this.payloads = []
      for (const payload of payloads) yield* this.ports.publish(payload)
    })
  }
}
