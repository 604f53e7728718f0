/** The digest as a big integer (the reference works on `*big.Int` before reducing mod n). */
export const digestToBigInt = (digest: Uint8Array): bigint => {
  let value = 0n
  for (const byte of digest) value = (value << 8n) | BigInt(byte)
  return value
}
