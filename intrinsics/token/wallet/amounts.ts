// QUIL amounts as the CLI reads and prints them (spec §7.2, §11.5): input is decimal QUIL × 8e9 raw
// units, truncated; output is rational(amount, 8e9) with 12 decimals (exact: 10^12 / 8e9 = 125).
import { QUIL_UNITS } from "../constants.ts"

/** Raw units of a decimal QUIL amount (`12`, `0.5`, `.25`), truncated; undefined when not a non-negative decimal. */
export const parseQuil = (text: string): bigint | undefined => {
  const m = /^(\d*)(?:\.(\d*))?$/.exec(text)
  if (m === null || text === "" || text === ".") return undefined
  const whole = BigInt(m[1] === undefined || m[1] === "" ? "0" : m[1])
  const frac = m[2] ?? ""
  const fracUnits = frac === "" ? 0n : (BigInt(frac) * QUIL_UNITS) / 10n ** BigInt(frac.length)
  return whole * QUIL_UNITS + fracUnits
}

/** `x.xxxxxxxxxxxx` for raw units. */
export const formatQuil = (units: bigint): string => {
  const scaled = units * 125n
  const whole = scaled / 10n ** 12n
  return `${whole}.${(scaled % 10n ** 12n).toString().padStart(12, "0")}`
}
