// Everything besides the view that an operation may depend on (spec §11.1 "ctx"). The crypto is
// plain synchronous functions so validate/apply stay deterministic and replayable; the host binds
// them to the native or reference implementations. Per-frame inputs only the token needs (shard
// commits, the prover tree commitment) join this type with the token intrinsic.

export interface CryptoServices {
  /** iden3 Poseidon `HashBytes`, 32-byte big-endian digest (crypto.md §4). */
  readonly poseidon: (data: Uint8Array) => Uint8Array
  readonly sha256: (data: Uint8Array) => Uint8Array
  readonly sha512: (data: Uint8Array) => Uint8Array
  /** BLS48-581 verification; the scheme signs `domain ‖ message` (crypto.md §3). */
  readonly blsVerify: (publicKey: Uint8Array, signature: Uint8Array, message: Uint8Array, domain: Uint8Array) => boolean
  /**
   * Ed448 (RFC 8032, empty context) verification; false for malformed keys or signatures, never a
   * throw. Optional so hosts and fixtures written before it stay valid; an intrinsic that needs it
   * fails its operation with a typed error when the host does not bind it.
   */
  readonly ed448Verify?: (publicKey: Uint8Array, signature: Uint8Array, message: Uint8Array) => boolean
  /**
   * KZG `CommitRaw` on BLS48-581 (crypto.md §3.6): `evaluations` is `polySize` 64-byte big-endian
   * values, the answer a 74-byte G1 commitment. Needed for vector-commitment-trie roots of branch
   * nodes (spec §3.4), e.g. configuration commitments. Optional, like ed448Verify.
   */
  readonly kzgCommit?: (evaluations: Uint8Array, polySize: number) => Uint8Array
  /**
   * Wesolowski multi-worker VDF verification (crypto.md §2.6): `blobs[i]` is worker i's 516-byte
   * y ‖ π over `ids[i]`; true only when the whole set verifies. Needed by the global intrinsic's
   * join (consensus.md §8.3). Optional, like ed448Verify.
   */
  readonly vdfVerifyMulti?: (challenge: Uint8Array, iterations: number, ids: ReadonlyArray<Uint8Array>, blobs: ReadonlyArray<Uint8Array>) => boolean
}

export interface ExecCtx {
  /** The frame the operation executes in. */
  readonly frameNumber: bigint
  /** 0 = mainnet (activation gates depend on it, spec §1.6 step 2). */
  readonly network: number
  /** The domain the host routed the request to; operations must target it (spec §11.3 #6). */
  readonly routedDomain: Uint8Array
  /** The fee popped for this request from the bundle's queue (0 for free operations, spec §6.3). */
  readonly feePaid: bigint
  /** The bundle's fee multiplier (spec §6.2); validate enforces `feePaid ≥ cost × feeMultiplier`. */
  readonly feeMultiplier: bigint
  readonly crypto: CryptoServices
}
