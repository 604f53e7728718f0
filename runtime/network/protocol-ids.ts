// Protocol ids and identify strings namespaced by network id, so nodes of different networks never
// speak quilbun protocols to each other (the reference suffixes its ids per network, node.md §4.1).
// Stock libp2p protocols (identify, ping) keep their standard ids so any libp2p node can talk to us.

const QUILBUN_PROTOCOL_ROOT = "/quilbun"

/** `/quilbun/<networkId>/<name>/<version>`, e.g. `/quilbun/99/sync/1.0.0`. */
export const protocolId = (networkId: number, name: string, version: string): string => `${QUILBUN_PROTOCOL_ROOT}/${networkId}/${name}/${version}`

/**
 * identify `agentVersion` (libp2p's `nodeInfo.userAgent`): lets a quilbun node spot a quilbun peer
 * of another network. (identify's `protocolVersion` is tied to its protocol prefix, which must stay
 * standard for stock peers.)
 */
export const quilbunAgentVersion = (networkId: number, version: string): string => `quilbun/${version} network/${networkId}`

/**
 * The network a peer announced in identify, if it is a quilbun node; `undefined` for anything else
 * (stock libp2p nodes, other software).
 */
export const networkOfAgentVersion = (agentVersion: string | undefined): number | undefined => {
  if (agentVersion === undefined) return undefined
  const match = /^quilbun\/\S+ network\/(\d+)$/.exec(agentVersion)
  return match?.[1] === undefined ? undefined : Number(match[1])
}

/** Pubsub topic of one bitmask slice: `/quilbun/<networkId>/bitmask/<hex of the slice>`. */
export const sliceTopic = (networkId: number, sliceHex: string): string => `${QUILBUN_PROTOCOL_ROOT}/${networkId}/bitmask/${sliceHex}`

/**
 * libp2p protocol id of a transport request/response protocol named `protocol` (an opaque name chosen
 * by the consensus, e.g. `/quilibrium/global-sync/1`): `/quilbun/<networkId>/rr<protocol>`, so every
 * request protocol is namespaced by network like the rest.
 */
export const requestProtocolId = (networkId: number, protocol: string): string =>
  `${QUILBUN_PROTOCOL_ROOT}/${networkId}/rr${protocol.startsWith("/") ? "" : "/"}${protocol}`
