// The hypergraph intrinsic's fixed numbers (spec §0 prefix table, §1.8, §3.8). One place, so the
// manifest, the codecs, the builders and the README cannot disagree.

/** HypergraphConfiguration: nested inside deploy and update (spec §0). */
export const HYPERGRAPH_CONFIGURATION = 0x0401
export const HYPERGRAPH_DEPLOY = 0x0402
export const HYPERGRAPH_UPDATE = 0x0403
/**
 * quilbun's plaintext VertexAdd (spec §11.4 item 9): its own prefix, so the reference's 0x0404
 * keeps its verenc meaning and can be added later. 0x04 keeps it in the hypergraph family; the
 * high bit of the low byte keeps it clear of the reference's low-numbered types (DECISIONS.md).
 */
export const VERTEX_ADD_PLAINTEXT = 0x0480
export const VERTEX_REMOVE = 0x0405
export const HYPEREDGE_ADD = 0x0406
export const HYPEREDGE_REMOVE = 0x0407

/** The reference's verenc VertexAdd; not owned here (listed so tests can assert it stays unclaimed). */
export const VERTEX_ADD_VERENC = 0x0404

/** `poseidon("q_hypergraph")` (spec §1.8; value in §9.3, checked by the vector tests). */
export const HYPERGRAPH_ADDRESS_PREFIX = "q_hypergraph"

export const ED448_PUBLIC_KEY_BYTES = 57
export const ED448_SIGNATURE_BYTES = 114
/** BLS48-581 G2 public key; the owner key is this or empty (spec §3.8). */
export const BLS_PUBLIC_KEY_BYTES = 585
/** BLS48-581 secret key, as `crypto bls keygen` prints it (the owner signs updates with it). */
export const BLS_SECRET_KEY_BYTES = 73
/** BLS48-581 G1 signature (crypto.md §3). */
export const BLS_SIGNATURE_BYTES = 74

/** Signature domain suffixes (spec §3.8 "domain-separated by `domain ‖ OPNAME`"). */
export const SIG_VERTEX_ADD_PLAINTEXT = "VERTEX_ADD_PLAINTEXT"
export const SIG_VERTEX_REMOVE = "VERTEX_REMOVE"
export const SIG_HYPEREDGE_ADD = "HYPEREDGE_ADD"
export const SIG_HYPEREDGE_REMOVE = "HYPEREDGE_REMOVE"
export const SIG_HYPERGRAPH_UPDATE = "HYPERGRAPH_UPDATE"

/** Spec §3.8: 5 MiB of vertex payload; quilbun applies it to the plaintext data. */
export const MAX_VERTEX_DATA_BYTES = 5 * 1024 * 1024
/** A schema document; generous for class lists, small enough to bound parsing work. */
export const MAX_SCHEMA_BYTES = 64 * 1024
/** Members of one hyperedge. */
export const MAX_HYPEREDGE_MEMBERS = 4096
/** Entries of one vertex record and their key length. */
export const MAX_ENTRIES = 4096
export const MAX_ENTRY_KEY_BYTES = 64

/** VertexAdd cost granularity: the reference charges 55 per verenc chunk (spec §3.8). */
export const COST_CHUNK = 55
/** VertexRemove and HyperedgeRemove (spec §3.8). */
export const REMOVE_COST = 64n

/** `HYPERGRAPH_BASE_DOMAIN = poseidon("q_hypergraph")` (spec §1.8, §9.3; the vector tests recompute it). */
export const HYPERGRAPH_BASE_DOMAIN: Uint8Array = Uint8Array.from(
  "20088628102c5143f5eaffadbc718d1a8fd7d2d8352d6c765bb111b11a801f2c".match(/../g)?.map((h) => Number.parseInt(h, 16)) ?? [],
)
