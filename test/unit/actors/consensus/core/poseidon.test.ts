import { bytesToHex } from "@noble/hashes/utils.js"
import { describe, expect, test } from "bun:test"
import { PoseidonLive } from "../../../../../crates/ts/poseidon-live.ts"
import { Poseidon } from "../../../../../crates/ts/services.ts"
import { Effect } from "effect"
import { readFileSync } from "node:fs"
import { vectorPath } from "../../../../vectors/index.ts"

interface PoseidonVectors {
  readonly vectors: ReadonlyArray<{ readonly msg_hex: string; readonly hash: string }>
}
const vectors = JSON.parse(readFileSync(vectorPath("poseidon_iden3.json"), "utf8")) as PoseidonVectors

describe("Poseidon service (crates/ts/poseidon.ts)", () => {
  test("reproduces every poseidon_iden3.json vector (ff*32 ‖ ascii type name)", () => {
    const poseidon = Effect.runSync(Poseidon.pipe(Effect.provide(PoseidonLive)))
    for (const v of vectors.vectors) {
      const name = /ascii\('(.*)'\)/.exec(v.msg_hex)?.[1] ?? ""
      const msg = new Uint8Array([...new Uint8Array(32).fill(0xff), ...new TextEncoder().encode(name)])
      expect(bytesToHex(poseidon(msg))).toBe(v.hash)
    }
  })
})
