// Canonical codecs of every hypergraph operation: round trips of built operations, wrong prefixes
// and truncations refused, and decoder totality over 10,000 random and truncated buffers each.
import { describe, expect, test } from "bun:test"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import fc from "fast-check"
import type { TypedOperation } from "../../../../intrinsics/contract/index.ts"
import { hypergraphBuilders } from "../../../../intrinsics/hypergraph/builders.ts"
import { hypergraphDeploy } from "../../../../intrinsics/hypergraph/ops/deploy.ts"
import { hyperedgeAdd } from "../../../../intrinsics/hypergraph/ops/hyperedge-add.ts"
import { hyperedgeRemove } from "../../../../intrinsics/hypergraph/ops/hyperedge-remove.ts"
import { hypergraphUpdate } from "../../../../intrinsics/hypergraph/ops/update.ts"
import { vertexAdd } from "../../../../intrinsics/hypergraph/ops/vertex-add.ts"
import { vertexRemove } from "../../../../intrinsics/hypergraph/ops/vertex-remove.ts"
import { buildEnv, instanceDomain, ownerSecret, testConfig, testSchema, writeSecret } from "./fixtures/hypergraph-env.ts"

const enc = new TextEncoder()
const vertexId = (n: number) => new Uint8Array([...instanceDomain, ...new Uint8Array(32).fill(n)])

/** One valid, signed instance of every operation, built by the builders. */
const samples = (): Array<[TypedOperation<never>, Uint8Array]> => {
  const b = hypergraphBuilders
  const run = <A>(builder: { build: (a: A, e: typeof buildEnv) => Effect.Effect<Uint8Array, unknown> }, args: A) =>
    Effect.runSync(builder.build(args, buildEnv))
  return [
    [hypergraphDeploy as TypedOperation<never>, run(b.deploy, { config: testConfig, schema: testSchema })],
    [hypergraphUpdate as TypedOperation<never>, run(b.update, { domain: instanceDomain, schema: testSchema, ownerSecretKey: ownerSecret })],
    [hypergraphUpdate as TypedOperation<never>, run(b.update, { domain: instanceDomain, config: testConfig, ownerSecretKey: ownerSecret })],
    [
      vertexAdd as TypedOperation<never>,
      run(b.putVertex, { domain: instanceDomain, entries: [{ key: enc.encode("name"), value: enc.encode("alice") }], signingKey: writeSecret }),
    ],
    [vertexRemove as TypedOperation<never>, run(b.removeVertex, { domain: instanceDomain, dataAddress: new Uint8Array(32).fill(1), signingKey: writeSecret })],
    [hyperedgeAdd as TypedOperation<never>, run(b.putHyperedge, { domain: instanceDomain, members: [vertexId(2), vertexId(1)], signingKey: writeSecret })],
    [hyperedgeRemove as TypedOperation<never>, run(b.removeHyperedge, { hyperedgeId: vertexId(5), signingKey: writeSecret })],
  ]
}

describe("round trips", () => {
  test("every built operation decodes and re-encodes to the same bytes; builders are deterministic", () => {
    const first = samples()
    const second = samples()
    for (const [i, [op, bytes]] of first.entries()) {
      const decoded = op.decode(bytes)
      expect(Either.isRight(decoded)).toBe(true)
      if (Either.isRight(decoded)) expect(Buffer.compare(decoded.right.bytes, bytes)).toBe(0)
      expect(Buffer.compare(second[i]![1], bytes)).toBe(0)
    }
  })

  test("a wrong prefix, a truncation or a trailing byte is a malformed OpError", () => {
    for (const [op, bytes] of samples()) {
      const wrong = bytes.slice()
      wrong[3] = (wrong[3] ?? 0) ^ 0x01
      for (const bad of [wrong, bytes.slice(0, bytes.length - 1), new Uint8Array([...bytes, 0])]) {
        const r = op.decode(bad)
        expect(Either.isLeft(r) && r.left.kind).toBe("malformed")
      }
    }
  })

  test("non-canonical forms are refused: unsorted entries, unsorted members, a bad update flag", () => {
    const [, vertexBytes] = samples()[3]!
    // two entries in descending order
    const w = [0, 0, 0x04, 0x80, ...instanceDomain, ...new Uint8Array(32), 0, 0, 0, 2, 0, 0, 0, 1, 0x62, 0, 0, 0, 0, 0, 0, 0, 1, 0x61, 0, 0, 0, 0, 0, 0, 0, 0]
    const r = vertexAdd.decode(Uint8Array.from(w))
    expect(Either.isLeft(r) && r.left.reason).toContain("strictly ascending")
    expect(vertexBytes.length).toBeGreaterThan(0)
    const update = samples()[1]![1].slice()
    update[4 + 32] = 2
    expect(Either.isLeft(hypergraphUpdate.decode(update))).toBe(true)
  })
})

describe("decoder totality", () => {
  const decoders = samples()
  for (const [op, valid] of decoders.filter((_, i) => i !== 2)) {
    test(`${op.name}: 10,000 random and truncated buffers decode to Either, never a throw`, () => {
      const prefix = valid.slice(0, 4)
      const buffers = fc.oneof(
        fc.uint8Array({ maxLength: 512 }),
        fc.uint8Array({ maxLength: 512 }).map((tail) => new Uint8Array([...prefix, ...tail])),
        fc.nat({ max: valid.length }).map((n) => valid.slice(0, n)),
        fc.tuple(fc.nat({ max: valid.length - 1 }), fc.integer({ min: 0, max: 255 })).map(([at, byte]) => {
          const mutated = valid.slice()
          mutated[at] = byte
          return mutated
        }),
      )
      fc.assert(
        fc.property(buffers, (bytes) => {
          const r = op.decode(bytes)
          // the codec itself must not throw either (defineOperation would turn a throw into "decoder threw")
          return Either.isRight(r) || !r.left.reason.includes("decoder threw")
        }),
        { numRuns: 10_000 },
      )
    })
  }
})
