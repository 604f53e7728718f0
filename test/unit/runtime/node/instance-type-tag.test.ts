import { expect, test } from "bun:test"
import { HYPERGRAPH_BASE_DOMAIN } from "../../../../intrinsics/hypergraph/constants.ts"
import { encodeMetadata } from "../../../../intrinsics/hypergraph/metadata.ts"
import { instanceTypeTag } from "../../../../runtime/node/intrinsics.ts"
import { testConfig, testSchema } from "../../intrinsics/hypergraph/fixtures/hypergraph-env.ts"

test("the resolver's type tag is the metadata vertex's 0xff×32 entry; anything else names no intrinsic", () => {
  const metadata = encodeMetadata({ schema: testSchema, config: testConfig, typeTag: HYPERGRAPH_BASE_DOMAIN })
  expect(instanceTypeTag(metadata)).toEqual(HYPERGRAPH_BASE_DOMAIN)
  expect(instanceTypeTag(new Uint8Array([0, 0, 0, 9]))).toBeUndefined()
  expect(instanceTypeTag(new Uint8Array([0, 0, 0, 0]))).toBeUndefined()
})
