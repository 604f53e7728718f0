// QUIL amounts for people: raw units (8e9 per QUIL) as a decimal with twelve places. Exact, because one
// raw unit is 0.000000000125 QUIL (10^12 / 8e9 = 125).
import { QUIL_UNITS } from "./pomw.ts"

const PLACES = 12n
const SCALE = 10n ** PLACES / QUIL_UNITS

/** `1234567890123` raw units → "154.320986265375" QUIL digits (no unit suffix); negative amounts keep their sign. */
export const formatQuil = (raw: bigint): string => {
  const negative = raw < 0n
  const units = negative ? -raw : raw
  const whole = units / QUIL_UNITS
  const fraction = ((units % QUIL_UNITS) * SCALE).toString().padStart(Number(PLACES), "0")
  return `${negative ? "-" : ""}${whole}.${fraction}`
}
