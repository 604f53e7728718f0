// Status codes returned by every quilcrypto export; mirrors crates/quilcrypto/src/status.rs.
export const Status = {
  Ok: 0,
  Length: -1,
  Encoding: -2,
  Invalid: -3,
  Internal: -4,
  /** A long computation stopped by its cancel call (quil_vdf_cancel). */
  Cancelled: -5,
  /** A point that is the identity or outside the prime-order subgroup, or a zero secret key. */
  Subgroup: -6,
} as const
