// The token intrinsic's fixed numbers (spec §0 prefix table, §2.1, §2.2, §6.1, §11.4). One place, so
// the manifest, the codecs, the builders and the README cannot disagree.

const hex = (h: string): Uint8Array => Uint8Array.from(h.match(/../g)?.map((b) => Number.parseInt(b, 16)) ?? [])

/**
 * quilbun's transparent operations (spec §11.4 item 3): their own prefixes, so the reference's
 * 0x0509 / 0x050C / 0x050F keep their confidential meaning. 0x05 keeps the token family; the high
 * bit of the low byte marks "transparent" and the low nibble repeats the reference operation's, the
 * rule the hypergraph's plaintext VertexAdd (0x0480) set (DECISIONS.md D-TOKEN-3).
 */
export const TRANSPARENT_TRANSACTION = 0x0589
export const TRANSPARENT_PENDING_TRANSACTION = 0x058c
/** Devnet coins (D-TOKEN-5): refused on mainnet, free, no reference counterpart. */
export const DEVNET_FAUCET = 0x05f1

/** The reference's confidential operations; not owned here (tests assert they stay unclaimed). */
export const REFERENCE_TRANSACTION = 0x0509
export const REFERENCE_PENDING_TRANSACTION = 0x050c
export const REFERENCE_MINT_TRANSACTION = 0x050f

/** `QUIL_TOKEN_ADDRESS = poseidon("q_mainnet_token")` (spec §2.1, vector §9.2; the tests recompute it). */
export const QUIL_TOKEN_ADDRESS: Uint8Array = hex("11558584af7017a9bfd1ff1864302d643fbe58c62dcf90cbcd8fde74a26794d9")
/** `TOKEN_BASE_DOMAIN = poseidon("q_token")` (spec §1.8, §9.3; the tests recompute it). */
export const TOKEN_BASE_DOMAIN: Uint8Array = hex("0b8da537ba8077012309c65332d2bb4b6cc68e6e6160bd0aa198e87fa81c65d5")
export const TOKEN_ADDRESS_PREFIX = "q_token"

/** Raw units per QUIL: `0x1DCD65000` (spec §2.1). */
export const QUIL_UNITS = 8_000_000_000n

/**
 * QUIL's configuration (spec §2.2) is fixed: behaviour 63 (Mintable, Burnable, Divisible, Acceptable,
 * Expirable, Tenderable), so value moves coin → pending → coin and pendings carry an expiration.
 * The codecs and checks are written for exactly that shape (D-TOKEN-2).
 */

/** Mainnet refuses QUIL coins proved at or before this frame as standard inputs (spec §2.6.1 Prove step 2). */
export const FRAME_2_1_EXTENDED_ENROLL_CONFIRM_END = 262_340n

/** Decaf448 points and scalars (compressed), and every 56-byte slot of a record (spec §2.4). */
export const POINT_BYTES = 56
export const SCALAR_BYTES = 56
/** Transparent spend signature: `e(56) ‖ s(56) ‖ VK(56) ‖ Commitment(56)` (D-TOKEN-6). */
export const SIGNATURE_BYTES = 224
/** Amounts and fees travel as fixed 16-byte big-endian integers: `0 ≤ x < 2^128` (range-proof bit size, spec §2.1, §11.4 item 3). */
export const AMOUNT_BYTES = 16
export const AMOUNT_LIMIT = 1n << 128n

/** 1 ≤ inputs, outputs ≤ 100 (spec §2.1). */
export const MAX_INPUTS = 100
export const MAX_OUTPUTS = 100
