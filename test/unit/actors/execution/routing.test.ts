import { describe, expect, test } from "bun:test"
import { bytesToHex } from "@noble/hashes/utils.js"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import { routeBundle } from "../../../../actors/execution/routing.ts"
import { atomId, loadIntrinsics } from "../../../../intrinsics/contract/index.ts"
import { encodeMessageBundle } from "../../../../intrinsics/contract/index.ts"
import { hypergraphBuilders as b } from "../../../../intrinsics/hypergraph/builders.ts"
import { HYPERGRAPH_BASE_DOMAIN } from "../../../../intrinsics/hypergraph/constants.ts"
import { hypergraphIntrinsic } from "../../../../intrinsics/hypergraph/index.ts"
import { buildEnv, instanceDomain, testConfig, testCrypto, testSchema, writeSecret } from "../../intrinsics/hypergraph/fixtures/hypergraph-env.ts"

const registry = Effect.runSync(loadIntrinsics([hypergraphIntrinsic]))
const config = { registry, network: 1, crypto: testCrypto, typeTagOf: () => undefined }
const build = <A>(builder: { build: (a: A, e: typeof buildEnv) => Effect.Effect<Uint8Array, unknown> }, args: A) =>
  Effect.runSync(builder.build(args, buildEnv))
const addr = (n: number) => new Uint8Array(32).fill(n)
const bundleOf = (...ops: Array<Uint8Array>) => encodeMessageBundle(ops, 1_700_000_000_000n)
const put = (domain: Uint8Array, n: number) =>
  build(b.putVertex, { domain, entries: [{ key: Uint8Array.of(1), value: Uint8Array.of(n) }], dataAddress: addr(n), signingKey: writeSecret })
const route = (bundle: Uint8Array, domain?: Uint8Array) => routeBundle(config, bundle, 10n, domain)
const hex = (e: ReturnType<typeof route>) => (Either.isRight(e) ? { domain: bytesToHex(e.right.domain), shard: bytesToHex(e.right.shard) } : e.left.message)

describe("bundle routing (domain from the operations, shard from the writes)", () => {
  test("a deploy is sent to the base domain and executes in the new instance's shard", () => {
    const deploy = bundleOf(build(b.deploy, { config: testConfig, schema: testSchema }))
    expect(hex(route(deploy))).toEqual({ domain: bytesToHex(HYPERGRAPH_BASE_DOMAIN), shard: bytesToHex(instanceDomain) })
  })

  test("writes to an instance route to it, domain and shard alike", () => {
    expect(hex(route(bundleOf(put(instanceDomain, 1), put(instanceDomain, 2))))).toEqual({
      domain: bytesToHex(instanceDomain),
      shard: bytesToHex(instanceDomain),
    })
    const removeEdge = build(b.removeHyperedge, { hyperedgeId: atomId(instanceDomain, addr(9)), signingKey: writeSecret })
    expect(Either.isRight(route(bundleOf(removeEdge)))).toBe(true)
  })

  test("a bundle addressed to two instances, or contradicting the named domain, is unroutable", () => {
    const other = addr(0x22)
    expect(hex(route(bundleOf(put(instanceDomain, 1), put(other, 1))))).toContain("unroutable")
    expect(hex(route(bundleOf(put(instanceDomain, 1)), other))).toContain("not the named domain")
  })

  test("malformed bytes and unknown op types are refused with their reason, never thrown", () => {
    expect(hex(route(new Uint8Array([1, 2, 3])))).toContain("malformed")
    const unknownOp = bundleOf(Uint8Array.of(0x7f, 0, 0, 1, 0))
    expect(hex(route(unknownOp))).toContain("unknown-op-type")
    for (let i = 0; i < 2000; i++) {
      const bytes = crypto.getRandomValues(new Uint8Array(Math.floor(Math.random() * 200)))
      expect(Either.isLeft(route(bytes))).toBe(true)
    }
  })
})
