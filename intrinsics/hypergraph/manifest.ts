// The hypergraph intrinsic's manifest (spec §1.8, §3.8, §11.1). It owns deploy, update, the
// plaintext VertexAdd under its own prefix, and the remove/hyperedge ops; 0x0404 (verenc VertexAdd)
// stays unclaimed so the confidential form can arrive without a prefix clash.
import type { Manifest } from "../contract/index.ts"
import {
  HYPEREDGE_ADD,
  HYPEREDGE_REMOVE,
  HYPERGRAPH_ADDRESS_PREFIX,
  HYPERGRAPH_BASE_DOMAIN,
  HYPERGRAPH_DEPLOY,
  HYPERGRAPH_UPDATE,
  VERTEX_ADD_PLAINTEXT,
  VERTEX_REMOVE,
} from "./constants.ts"

const OP_TYPES = [HYPERGRAPH_DEPLOY, HYPERGRAPH_UPDATE, VERTEX_ADD_PLAINTEXT, VERTEX_REMOVE, HYPEREDGE_ADD, HYPEREDGE_REMOVE] as const

export const hypergraphManifest: Manifest = {
  name: "hypergraph",
  version: "0.1.0",
  baseDomain: HYPERGRAPH_BASE_DOMAIN,
  derivation: { _tag: "Derived", prefix: new TextEncoder().encode(HYPERGRAPH_ADDRESS_PREFIX) },
  fixedInstances: [],
  opTypes: [...OP_TYPES],
  placement: "app",
  // Every hypergraph operation pops one fee (spec §6.3); none produces fees.
  feePolicy: OP_TYPES.map((opType) => ({ opType, role: "consumer" as const, producesFees: false })),
  // Spec §11.1 activation: non-global operations only after frame 262 340 on mainnet.
  activation: { fromFrame: 0n, mainnetFromFrame: 262_341n },
}
