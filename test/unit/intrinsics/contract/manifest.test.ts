import { describe, expect, test } from "bun:test"
import * as Either from "effect/Either"
import { decodeManifest, deriveInstanceAddress, feeRoleOf, GLOBAL_INTRINSIC_ADDRESS, isActive, isFixedInstance } from "../../../../intrinsics/contract/index.ts"
import { NOTE_PUT, noteManifest, testCrypto } from "./fixtures/note-intrinsic.ts"

const reasonOf = (input: unknown): string => {
  const result = decodeManifest(input)
  if (Either.isRight(result)) throw new Error("expected the manifest to be refused")
  return result.left
}

describe("manifest", () => {
  test("a well-formed manifest decodes to itself", () => {
    expect(decodeManifest(noteManifest())).toEqual(Either.right(noteManifest()))
  })

  test("each broken rule is reported", () => {
    expect(reasonOf(noteManifest({ baseDomain: new Uint8Array(31) }))).toContain("expected 32 bytes, got 31")
    expect(reasonOf(noteManifest({ name: "Notes!" }))).toContain("a name is 1-32 of [a-z0-9-]")
    expect(reasonOf(noteManifest({ version: "1" }))).toContain("MAJOR.MINOR.PATCH")
    expect(reasonOf(noteManifest({ opTypes: [NOTE_PUT, NOTE_PUT] }))).toContain("op types listed twice: 0x7001")
    expect(reasonOf(noteManifest({ opTypes: [NOTE_PUT, 2 ** 32] }))).toContain("between 0 and 4294967295")
    expect(reasonOf(noteManifest({ feePolicy: [{ opType: NOTE_PUT, role: "consumer", producesFees: false }] }))).toContain("no fee policy for op types: 0x7002")
    expect(reasonOf(noteManifest({ derivation: { _tag: "FixedOnly" } }))).toContain("needs a fixed instance")
    expect(reasonOf({ name: "half" })).toContain("version")
    expect(reasonOf(42)).toContain("Expected")
  })

  test("fee roles, activation gates and fixed instances", () => {
    const m = noteManifest({ fixedInstances: [{ label: "global", address: GLOBAL_INTRINSIC_ADDRESS }], activation: { fromFrame: 5n, mainnetFromFrame: 100n } })
    expect(feeRoleOf(m, NOTE_PUT)).toBe("consumer")
    expect(feeRoleOf(m, 0x0509)).toBeUndefined()
    expect(isActive(m, 4n, 1)).toBe(false)
    expect(isActive(m, 5n, 1)).toBe(true)
    expect(isActive(m, 99n, 0)).toBe(false)
    expect(isActive(m, 100n, 0)).toBe(true)
    expect(isFixedInstance(m, GLOBAL_INTRINSIC_ADDRESS)).toBe(true)
    expect(isFixedInstance(m, new Uint8Array(32))).toBe(false)
  })

  test("instance addresses are poseidon(prefix ‖ config commitment); fixed-only intrinsics cannot be deployed", () => {
    const commitment = new Uint8Array(64).fill(7)
    const address = deriveInstanceAddress(noteManifest(), commitment, testCrypto.poseidon)
    const expected = testCrypto.poseidon(Uint8Array.from([...new TextEncoder().encode("q_notes"), ...commitment]))
    expect(address).toEqual(Either.right(expected))
    const global = noteManifest({ derivation: { _tag: "FixedOnly" }, fixedInstances: [{ label: "global", address: GLOBAL_INTRINSIC_ADDRESS }] })
    const refused = deriveInstanceAddress(global, commitment, testCrypto.poseidon)
    expect(Either.isLeft(refused) && refused.left.message).toBe("operation: invalid: intrinsic notes cannot be deployed")
  })
})
