// Exactly one connection per peer pair.
//
// When two nodes dial each other at the same moment each side ends up with two connections: the
// one it initiated and the one the other side initiated. Both sides must drop *the same one*, or
// they drop both. The rule needs no coordination: keep the connection initiated by the peer whose
// id is lexicographically smaller; close the one initiated by the greater id. A repeated dial by
// the same side keeps the older connection.
//
// The check runs in libp2p's connection gater right after the upgrade (noise + yamux) and before
// the connection is announced, so protocols (identify, pubsub streams) never start on a
// connection that is about to be dropped. When the newcomer is the keeper, the older connection is
// aborted before the newcomer is announced, so pubsub routers drop their streams on the old one
// first and open new ones on the survivor (tested in bitmask-pubsub.test.ts).
import type { ConnectionGater, MultiaddrConnection, PeerId } from "@libp2p/interface"

export type Initiator = "self" | "remote"

export type DuplicateDecision =
  /** no live connection to this peer: admit the new one */
  | "admit"
  /** keep the existing connection, deny the new one */
  | "deny-new"
  /** admit the new connection and close the existing one */
  | "replace-existing"

/** The pure rule. `existing` is undefined when there is no live connection to the peer. */
export const decideDuplicate = (selfId: string, remoteId: string, existing: Initiator | undefined, incoming: Initiator): DuplicateDecision => {
  if (existing === undefined) return "admit"
  const keeperInitiator: Initiator = selfId < remoteId ? "self" : "remote"
  if (existing === keeperInitiator) return "deny-new"
  return incoming === keeperInitiator ? "replace-existing" : "deny-new"
}

interface Admitted {
  readonly maConn: MultiaddrConnection
  readonly initiator: Initiator
}

export interface DedupeCounters {
  deniedNew: number
  replacedExisting: number
}

export interface DedupeGater {
  readonly gater: ConnectionGater
  readonly counters: Readonly<DedupeCounters>
  /** live admitted connections (one per peer); bounded by the connection limits */
  readonly size: () => number
}

const isLive = (maConn: MultiaddrConnection): boolean => maConn.status === "open"

/** A connection gater enforcing one connection per peer; `selfId` is this node's peer id string. */
export const makeDedupeGater = (selfId: string): DedupeGater => {
  const admitted = new Map<string, Admitted>()
  const counters: DedupeCounters = { deniedNew: 0, replacedExisting: 0 }

  const admit = (remoteId: string, maConn: MultiaddrConnection, initiator: Initiator): void => {
    admitted.set(remoteId, { maConn, initiator })
    maConn.addEventListener(
      "close",
      () => {
        if (admitted.get(remoteId)?.maConn === maConn) admitted.delete(remoteId)
      },
      { once: true },
    )
  }

  const check = (peerId: PeerId, maConn: MultiaddrConnection, incoming: Initiator): boolean => {
    const remoteId = peerId.toString()
    const current = admitted.get(remoteId)
    const existing = current !== undefined && isLive(current.maConn) ? current : undefined
    switch (decideDuplicate(selfId, remoteId, existing?.initiator, incoming)) {
      case "admit":
        admit(remoteId, maConn, incoming)
        return false
      case "deny-new":
        counters.deniedNew++
        return true
      case "replace-existing":
        counters.replacedExisting++
        admit(remoteId, maConn, incoming)
        existing?.maConn.abort(new Error("duplicate connection: the peer pair keeps the other one"))
        return false
    }
  }

  return {
    gater: {
      denyInboundUpgradedConnection: (peerId, maConn) => check(peerId, maConn, "remote"),
      denyOutboundUpgradedConnection: (peerId, maConn) => check(peerId, maConn, "self"),
    },
    counters,
    size: () => admitted.size,
  }
}
