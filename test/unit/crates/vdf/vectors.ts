// Loads the VDF vectors (test/vectors) for the VDF tests.
import { hexToBytes } from "@noble/hashes/utils.js"
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { vectorsDir } from "../../../vectors/index.ts"

export interface SingleLine {
  readonly seed: string
  readonly challenge: Uint8Array
  readonly difficulty: number
  readonly output: Uint8Array
}
export interface MultiLine {
  readonly challenge: Uint8Array
  readonly difficulty: number
  readonly ids: ReadonlyArray<Uint8Array>
  readonly blobs: ReadonlyArray<Uint8Array>
}

const read = (name: string): string => readFileSync(join(vectorsDir, name), "utf8")

export const wesolowskiLines = (): { single: Array<SingleLine>; multi: Array<MultiLine> } => {
  const single: Array<SingleLine> = []
  const multi: Array<MultiLine> = []
  for (const line of read("vdf_wesolowski_2048.jsonl").trim().split("\n")) {
    const j = JSON.parse(line) as Record<string, unknown>
    if (typeof j["multi_challenge"] === "string") {
      multi.push({
        challenge: hexToBytes(j["multi_challenge"]),
        difficulty: Number(j["difficulty"]),
        ids: (j["ids"] as Array<string>).map(hexToBytes),
        blobs: (j["blobs"] as Array<string>).map(hexToBytes),
      })
    } else {
      single.push({
        seed: String(j["seed"]),
        challenge: hexToBytes(String(j["challenge"])),
        difficulty: Number(j["difficulty"]),
        output: hexToBytes(String(j["output"])),
      })
    }
  }
  return { single, multi }
}

export const discriminantVectors = (): Record<string, string> => JSON.parse(read("vdf_discriminants.json")) as Record<string, string>

export interface FullForm {
  readonly a: bigint
  readonly b: bigint
  readonly c: bigint
}

/** classgroup_multiply.txt: [f1, f2, f1·f2] per line. */
export const multiplyLines = (): Array<readonly [FullForm, FullForm, FullForm]> => {
  const parse = (s: string): FullForm => {
    const [a, b, c] = s.split(",").map((x) => BigInt(x.trim()))
    if (a === undefined || b === undefined || c === undefined) throw new Error(`bad form ${s}`)
    return { a, b, c }
  }
  return read("classgroup_multiply.txt")
    .trim()
    .split("\n")
    .map((line) => {
      const [x, y, z] = line.split("|")
      if (x === undefined || y === undefined || z === undefined) throw new Error("bad line")
      return [parse(x), parse(y), parse(z)] as const
    })
}

/** Deterministic pseudo-random bytes for fuzzing (xorshift; reproducible failures). */
export const prng = (seed: number) => {
  let s = seed >>> 0 || 1
  const next = (): number => {
    s ^= s << 13
    s >>>= 0
    s ^= s >>> 17
    s ^= s << 5
    s >>>= 0
    return s
  }
  return {
    int: (n: number): number => next() % n,
    bytes: (n: number): Uint8Array => Uint8Array.from({ length: n }, () => next() & 0xff),
  }
}
