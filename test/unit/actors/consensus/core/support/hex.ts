/** Test helpers to write expected bytes field by field as hex. */
export const rep = (byteHex: string, count: number): string => byteHex.repeat(count)
export const u32 = (n: number): string => n.toString(16).padStart(8, "0")
export const u64 = (n: bigint | number): string => BigInt.asUintN(64, BigInt(n)).toString(16).padStart(16, "0")
export const hex = (...parts: ReadonlyArray<string>): string => parts.join("")
export const filled = (byte: number, count: number): Uint8Array => new Uint8Array(count).fill(byte)
