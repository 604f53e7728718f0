// The hypergraph intrinsic loads through the contract's registry beside the note fixture, owns its
// op types (not the verenc 0x0404) and dispatches its operations.
import { describe, expect, test } from "bun:test"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import { loadIntrinsics } from "../../../../intrinsics/contract/index.ts"
import { VERTEX_ADD_VERENC } from "../../../../intrinsics/hypergraph/constants.ts"
import { hypergraphIntrinsic } from "../../../../intrinsics/hypergraph/index.ts"
import { noteIntrinsic } from "../contract/fixtures/note-intrinsic.ts"
import { buildEnv, instanceDomain, writeSecret } from "./fixtures/hypergraph-env.ts"

describe("registry", () => {
  test("loads alongside the note fixture without overlap and dispatches hypergraph bytes to it", () => {
    const registry = Either.getOrThrow(loadIntrinsics([noteIntrinsic(), hypergraphIntrinsic]))
    expect(registry.byName("hypergraph")).toBe(hypergraphIntrinsic)
    expect(registry.byDomain(hypergraphIntrinsic.manifest.baseDomain)).toBe(hypergraphIntrinsic)
    expect(hypergraphIntrinsic.manifest.opTypes).toEqual([0x0402, 0x0403, 0x0480, 0x0405, 0x0406, 0x0407])
    expect(registry.ownerOf(VERTEX_ADD_VERENC)).toBeUndefined()
    const bytes = Effect.runSync(
      hypergraphIntrinsic.builders.putVertex.build(
        { domain: instanceDomain, entries: [{ key: Uint8Array.of(1), value: Uint8Array.of(2) }], signingKey: writeSecret },
        buildEnv,
      ),
    )
    const dispatched = Either.getOrThrow(registry.decode(bytes))
    expect(dispatched.intrinsic).toBe(hypergraphIntrinsic)
    expect(dispatched.op.name).toBe("vertex-add")
    expect(dispatched.feeRole).toBe("consumer")
  })

  test("loading it twice is refused", () => {
    const r = loadIntrinsics([hypergraphIntrinsic, hypergraphIntrinsic])
    expect(Either.isLeft(r) && r.left._tag).toBe("DuplicateIntrinsicName")
  })
})
