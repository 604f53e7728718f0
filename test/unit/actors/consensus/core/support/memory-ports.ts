// In-memory ports for a HotStuff engine under test: the "store" is a map of records, the transport a
// log. Every persist and publish is logged in order, so tests can check persist-then-send.
import { bytesToHex } from "@noble/hashes/utils.js"
import { Effect } from "effect"
import type { CertifiedFrame } from "../../../../../../actors/consensus/core/chain-kind.ts"
import type { EnginePorts, StateRecord, StateWrite } from "../../../../../../actors/consensus/core/engine-ports.ts"

export type PortEvent<F, P> =
  | { readonly op: "persist"; readonly writes: ReadonlyArray<StateWrite<F, P>> }
  | { readonly op: "publish"; readonly payload: Uint8Array }
  | { readonly op: "committed"; readonly frames: ReadonlyArray<CertifiedFrame<F>> }
  | { readonly op: "armTimer"; readonly ms: number; readonly epoch: number }
  | { readonly op: "proposeAfter"; readonly ms: number; readonly rank: bigint }
  | { readonly op: "requestSync"; readonly peer: string }

export interface MemoryStore<F, P> {
  readonly rows: Map<string, StateRecord<F, P>>
}

const idOf = <F extends { readonly header: { readonly frameNumber: bigint } }, P>(r: StateRecord<F, P>): string => {
  switch (r._tag) {
    case "Committed":
      return `committed:${String(r.certified.frame.header.frameNumber).padStart(20, "0")}`
    case "Proposal":
      return `proposal:${String(r.rank).padStart(20, "0")}:${bytesToHex(r.selector)}`
    default:
      return r._tag
  }
}

export const memoryStore = <F, P>(): MemoryStore<F, P> => ({ rows: new Map() })

export const memoryPorts = <F extends { readonly header: { readonly frameNumber: bigint } }, P>(
  store: MemoryStore<F, P>,
  peers: ReadonlyArray<string> = [],
) => {
  const log: Array<PortEvent<F, P>> = []
  const sorted = (prefix: string) => [...store.rows.entries()].filter(([k]) => k.startsWith(prefix)).sort(([a], [b]) => (a < b ? -1 : 1))
  const head = (): bigint => {
    const h = store.rows.get("Head")
    return h?._tag === "Head" ? h.frameNumber : 0n
  }
  const ports: EnginePorts<F, P> = {
    peerId: "self",
    peers: Effect.succeed(peers),
    publish: (payload) => Effect.sync(() => log.push({ op: "publish", payload })),
    persist: (writes) =>
      Effect.sync(() => {
        for (const w of writes) {
          if (w._tag === "Put") store.rows.set(idOf(w.record), w.record)
          else store.rows.delete(`proposal:${String(w.key.rank).padStart(20, "0")}:${bytesToHex(w.key.selector)}`)
        }
        log.push({ op: "persist", writes })
      }),
    load: Effect.sync(() => {
      const committed = store.rows.get(`committed:${String(head()).padStart(20, "0")}`)
      const safety = store.rows.get("Safety")
      const liveness = store.rows.get("Liveness")
      return {
        committed: committed?._tag === "Committed" ? committed.certified : undefined,
        safety: safety?._tag === "Safety" ? safety.state : undefined,
        liveness: liveness?._tag === "Liveness" ? liveness.state : undefined,
        proposals: sorted("proposal:").flatMap(([, r]) => (r._tag === "Proposal" ? [r.proposal] : [])),
      }
    }),
    storedProposalKeys: () => sorted("proposal:").flatMap(([, r]) => (r._tag === "Proposal" ? [{ rank: r.rank, selector: r.selector }] : [])),
    readCommitted: (from, max) =>
      Effect.sync(() => {
        const frames: Array<CertifiedFrame<F>> = []
        for (let n = from; n <= head() && frames.length < max; n++) {
          const r = store.rows.get(`committed:${String(n).padStart(20, "0")}`)
          if (r?._tag !== "Committed") break
          frames.push(r.certified)
        }
        return { headFrameNumber: head(), frames }
      }),
    armTimer: (ms, epoch) => Effect.sync(() => log.push({ op: "armTimer", ms, epoch })),
    proposeAfter: (ms, rank) => Effect.sync(() => log.push({ op: "proposeAfter", ms, rank })),
    requestSync: (peer) => Effect.sync(() => log.push({ op: "requestSync", peer })),
    startSyncProgress: () => Effect.succeed({ isEnded: false, advanceTo: () => Effect.void, retarget: () => Effect.void, stop: () => Effect.void }),
    committed: (frames) => log.push({ op: "committed", frames }),
    doubleProposal: () => undefined,
  }
  return { ports, log }
}
