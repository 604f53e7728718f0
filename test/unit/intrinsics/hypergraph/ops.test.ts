// validate and apply of every hypergraph operation through the real overlays (actors/execution/
// overlay) with the access-set assertion on: signatures, domains, sizes, fees, the 2P2P semantics
// (a removed atom stays removed), deploy/update with the owner key persisted and one schema key.
import { describe, expect, test } from "bun:test"
import { ed448 } from "@noble/curves/ed448.js"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import { FrameOverlay, MemoryCommitted } from "../../../../actors/execution/overlay/index.ts"
import { atomId, type DecodedOp, hyperedge, type Operation, vertex } from "../../../../intrinsics/contract/index.ts"
import { hypergraphBuilders } from "../../../../intrinsics/hypergraph/builders.ts"
import { HYPERGRAPH_BASE_DOMAIN, MAX_VERTEX_DATA_BYTES } from "../../../../intrinsics/hypergraph/constants.ts"
import { decodeEntries } from "../../../../intrinsics/hypergraph/entries.ts"
import { decodeMetadata, KEY_OWNER, KEY_SCHEMA } from "../../../../intrinsics/hypergraph/metadata.ts"
import { hypergraphDeploy } from "../../../../intrinsics/hypergraph/ops/deploy.ts"
import { hyperedgeAdd } from "../../../../intrinsics/hypergraph/ops/hyperedge-add.ts"
import { hyperedgeRemove } from "../../../../intrinsics/hypergraph/ops/hyperedge-remove.ts"
import { hypergraphUpdate } from "../../../../intrinsics/hypergraph/ops/update.ts"
import { vertexAdd, vertexAddMessage } from "../../../../intrinsics/hypergraph/ops/vertex-add.ts"
import { vertexRemove } from "../../../../intrinsics/hypergraph/ops/vertex-remove.ts"
import { hypergraphQueries } from "../../../../intrinsics/hypergraph/queries.ts"
import { ed448SignedBytes } from "../../../../intrinsics/hypergraph/checks.ts"
import {
  buildEnv,
  ctxFor,
  deployedFrame,
  instanceDomain,
  otherSecret,
  ownerSecret,
  testConfig,
  testCrypto,
  testSchema,
  writeSecret,
} from "./fixtures/hypergraph-env.ts"
import { runOpSync } from "../../support/run-op.ts"

const enc = new TextEncoder()
const b = hypergraphBuilders
const ctx = ctxFor(instanceDomain)
const entries = [{ key: enc.encode("name"), value: enc.encode("alice") }]
const addr = (n: number) => new Uint8Array(32).fill(n)

const bind = (op: Operation, bytes: Uint8Array): DecodedOp => Either.getOrThrow(op.decode(bytes))
const build = <A>(builder: { build: (a: A, e: typeof buildEnv) => Effect.Effect<Uint8Array, unknown> }, args: A) =>
  Effect.runSync(builder.build(args, buildEnv))

const putVertex = (signingKey = writeSecret, dataAddress = addr(1), es = entries) =>
  bind(vertexAdd, build(b.putVertex, { domain: instanceDomain, entries: es, dataAddress, signingKey }))
const removeVertex = (dataAddress = addr(1), signingKey = writeSecret) =>
  bind(vertexRemove, build(b.removeVertex, { domain: instanceDomain, dataAddress, signingKey }))
const memberIds = [atomId(instanceDomain, addr(1)), atomId(instanceDomain, addr(2))]
const putEdge = (signingKey = writeSecret) =>
  bind(hyperedgeAdd, build(b.putHyperedge, { domain: instanceDomain, members: memberIds, dataAddress: addr(9), signingKey }))
const removeEdge = (signingKey = writeSecret) => bind(hyperedgeRemove, build(b.removeHyperedge, { hyperedgeId: atomId(instanceDomain, addr(9)), signingKey }))

const run = (frame: FrameOverlay, op: DecodedOp, c = ctx) => runOpSync(frame, op, c)
const errorOf = (frame: FrameOverlay, op: DecodedOp, c = ctx): string => {
  const r = run(frame, op, c)
  return Either.isLeft(r) ? r.left.message : "succeeded"
}

describe("writes: signatures, domains, sizes, fees", () => {
  test("a vertex add by the write key applies; the stored record holds the entries", () => {
    const frame = deployedFrame()
    const r = run(frame, putVertex())
    expect(Either.isRight(r) && r.right.map((e) => e.kind)).toEqual(["vertex-added"])
    const stored = frame.get(vertex(atomId(instanceDomain, addr(1))))
    expect(stored._tag).toBe("Present")
    if (stored._tag === "Present") expect(Either.getOrThrow(decodeEntries(stored.value))).toEqual(entries)
  })

  test("a signature by another key, a tampered signature or a wrong signature domain is refused", () => {
    const frame = deployedFrame()
    expect(errorOf(frame, putVertex(otherSecret))).toContain("not by the instance's write key")
    const good = build(b.putVertex, { domain: instanceDomain, entries, dataAddress: addr(1), signingKey: writeSecret })
    const tampered = good.slice()
    tampered[tampered.length - 1] = (tampered[tampered.length - 1] ?? 0) ^ 1
    expect(errorOf(frame, bind(vertexAdd, tampered))).toContain("write key")
    // signed under the remove domain instead of the add domain
    const unsigned = { domain: instanceDomain, dataAddress: addr(1), entries }
    const wrongDomain = ed448.sign(ed448SignedBytes(instanceDomain, "VERTEX_REMOVE", vertexAddMessage(unsigned)), writeSecret)
    expect(errorOf(frame, vertexAdd.bind({ ...unsigned, signature: wrongDomain }))).toContain("write key")
    for (const op of [removeVertex(addr(1), otherSecret), putEdge(otherSecret), removeEdge(otherSecret)]) {
      expect(errorOf(frame, op)).toContain("write key")
    }
  })

  test("an operation routed to another domain, or aimed at a domain without an instance, is refused", () => {
    expect(errorOf(deployedFrame(), putVertex(), ctxFor(addr(0x11)))).toContain("not the domain it was routed to")
    const empty = new FrameOverlay(new MemoryCommitted(), { checkAccess: true })
    expect(errorOf(empty, putVertex())).toContain("no hypergraph instance")
  })

  test("oversize data, an empty vertex, the metadata address and an underpaid fee are refused", () => {
    const frame = deployedFrame()
    const big = Array.from({ length: 6 }, (_, i) => ({ key: Uint8Array.of(i + 1), value: new Uint8Array(1 << 20) }))
    const oversize = vertexAdd.bind({ domain: instanceDomain, dataAddress: addr(1), entries: big, signature: new Uint8Array(114) })
    expect(errorOf(frame, oversize)).toContain(`exceed ${MAX_VERTEX_DATA_BYTES}`)
    expect(errorOf(frame, vertexAdd.bind({ domain: instanceDomain, dataAddress: addr(1), entries: [], signature: new Uint8Array(114) }))).toContain(
      "at least one entry",
    )
    expect(errorOf(frame, putVertex(writeSecret, addr(0xff)))).toContain("metadata address")
    expect(errorOf(frame, putVertex(), ctxFor(instanceDomain, { feePaid: 54n }))).toContain("insufficient-fee")
    expect(Either.isRight(run(frame, putVertex(), ctxFor(instanceDomain, { feePaid: 55n })))).toBe(true)
  })

  test("a hyperedge whose id is outside the operation's domain is refused", () => {
    const foreign = hyperedgeAdd.bind({
      domain: instanceDomain,
      value: { id: atomId(addr(0x22), addr(9)), members: memberIds },
      signature: new Uint8Array(114),
    })
    expect(errorOf(deployedFrame(), foreign)).toContain("not in the operation's domain")
  })

  test("costs follow §3.8: 55 per started chunk, 64 per remove, one per hyperedge member", () => {
    expect(putVertex().cost()).toBe(55n)
    expect(putVertex(writeSecret, addr(1), [{ key: Uint8Array.of(1), value: new Uint8Array(55) }]).cost()).toBe(110n)
    expect(removeVertex().cost()).toBe(64n)
    expect(putEdge().cost()).toBe(2n)
    expect(removeEdge().cost()).toBe(64n)
    const deploy = bind(hypergraphDeploy, build(b.deploy, { config: testConfig, schema: testSchema }))
    expect(deploy.cost()).toBe(BigInt(enc.encode(testSchema).length + 57 + 57 + 585))
  })
})

describe("2P2P semantics (§3.2): a removed atom stays removed", () => {
  test("vertex: add, update in place, remove, then a re-add is refused in the same and later frames", () => {
    const frame = deployedFrame()
    expect(Either.isRight(run(frame, putVertex()))).toBe(true)
    // vertices are mutable: a second add replaces the data
    const second = [{ key: enc.encode("name"), value: enc.encode("bob") }]
    expect(Either.isRight(run(frame, putVertex(writeSecret, addr(1), second)))).toBe(true)
    expect(Either.isRight(run(frame, removeVertex()))).toBe(true)
    expect(frame.get(vertex(atomId(instanceDomain, addr(1))))._tag).toBe("Removed")
    expect(errorOf(frame, putVertex())).toContain("stays removed")
    expect(errorOf(frame, removeVertex())).toContain("is removed")
    // the view itself refuses the write even if validate were skipped
    const bundle = Either.getOrThrow(frame.openBundle())
    const raw = Effect.runSync(Effect.either(putVertex().apply(bundle.forOperation(putVertex().accessSet(ctx)), ctx)))
    expect(Either.isLeft(raw) && raw.left._tag).toBe("WriteRefused")
    bundle.discard()
  })

  test("removing a vertex that never existed is refused", () => {
    expect(errorOf(deployedFrame(), removeVertex(addr(3)))).toContain("is absent")
  })

  test("hyperedge: add, remove, re-add refused", () => {
    const frame = deployedFrame()
    expect(Either.isRight(run(frame, putEdge()))).toBe(true)
    expect(frame.get(hyperedge(atomId(instanceDomain, addr(9))))._tag).toBe("Present")
    expect(Either.isRight(run(frame, removeEdge()))).toBe(true)
    expect(errorOf(frame, putEdge())).toContain("stays removed")
    expect(errorOf(frame, removeEdge())).toContain("is removed")
  })
})

describe("deploy and update (§3.8, §11.3 #8, #26, #27)", () => {
  const deployOp = () => bind(hypergraphDeploy, build(b.deploy, { config: testConfig, schema: testSchema }))
  const baseCtx = ctxFor(HYPERGRAPH_BASE_DOMAIN)
  const extended = `${testSchema}note:Body a rdfs:Property ; rdfs:domain note:Note ; rdfs:range qcl:String ; qcl:order 1 ; qcl:size 1024 .\n`

  test("deploy creates the metadata vertex once; a second deploy of the same config fails", () => {
    const frame = new FrameOverlay(new MemoryCommitted(), { checkAccess: true })
    const r = run(frame, deployOp(), baseCtx)
    expect(Either.isRight(r)).toBe(true)
    const meta = frame.get(vertex(atomId(instanceDomain, addr(0xff))))
    expect(meta._tag).toBe("Present")
    expect(errorOf(frame, deployOp(), baseCtx)).toContain("exists already")
  })

  test("deploy needs the base domain, a schema that parses and a KZG binding", () => {
    const frame = new FrameOverlay(new MemoryCommitted(), { checkAccess: true })
    expect(errorOf(frame, deployOp(), ctxFor(instanceDomain))).toContain("routed")
    const bad = bind(hypergraphDeploy, build(b.deploy, { config: testConfig, schema: "not turtle" }))
    expect(errorOf(frame, bad, baseCtx)).toContain("schema")
    const empty = bind(hypergraphDeploy, build(b.deploy, { config: testConfig, schema: "" }))
    expect(errorOf(frame, empty, baseCtx)).toContain("empty")
    const { kzgCommit: _, ...noKzg } = testCrypto
    expect(errorOf(frame, deployOp(), ctxFor(HYPERGRAPH_BASE_DOMAIN, { crypto: noKzg }))).toContain("KZG")
  })

  test("the owner key is persisted at its own metadata key and the schema lives at 2 << 2; an additive update is read back from there", () => {
    const frame = new FrameOverlay(new MemoryCommitted(), { checkAccess: true })
    expect(Either.isRight(run(frame, deployOp(), baseCtx))).toBe(true)
    const stored = frame.get(vertex(atomId(instanceDomain, addr(0xff))))
    if (stored._tag !== "Present") throw new Error("no metadata")
    const raw = Either.getOrThrow(decodeEntries(stored.value))
    expect(raw.find((e) => e.key[0] === KEY_OWNER[0] && e.key.length === 1)?.value).toEqual(testConfig.ownerPublicKey)
    expect(new TextDecoder().decode(raw.find((e) => e.key[0] === KEY_SCHEMA[0] && e.key.length === 1)?.value)).toBe(testSchema)
    // a later frame over committed state: the update verifies against the persisted key
    const update = bind(hypergraphUpdate, build(b.update, { domain: instanceDomain, schema: extended, ownerSecretKey: ownerSecret }))
    expect(Either.isRight(run(frame, update))).toBe(true)
    const after = frame.get(vertex(atomId(instanceDomain, addr(0xff))))
    if (after._tag !== "Present") throw new Error("no metadata")
    expect(Either.getOrThrow(decodeMetadata(after.value)).schema).toBe(extended)
    expect(Either.getOrThrow(decodeMetadata(after.value)).config.ownerPublicKey).toEqual(testConfig.ownerPublicKey)
  })

  test("updates that remove or change a field, or carry a bad signature, are refused", () => {
    const frame = deployedFrame()
    const changed = testSchema.replace("qcl:size 64", "qcl:size 65")
    expect(errorOf(frame, bind(hypergraphUpdate, build(b.update, { domain: instanceDomain, schema: changed, ownerSecretKey: ownerSecret })))).toContain(
      "changed",
    )
    const removed = testSchema.replace(/note:Title[\s\S]*$/, "")
    expect(errorOf(frame, bind(hypergraphUpdate, build(b.update, { domain: instanceDomain, schema: removed, ownerSecretKey: ownerSecret })))).toContain(
      "removed",
    )
    const forged = new Uint8Array(585).fill(4)
    expect(errorOf(frame, bind(hypergraphUpdate, build(b.update, { domain: instanceDomain, schema: testSchema, ownerSecretKey: forged })))).toContain(
      "owner key",
    )
  })
})

describe("access sets", () => {
  test("the overlay's assertion is live: an apply through a view without its write is an AccessViolation", () => {
    const frame = deployedFrame()
    const bundle = Either.getOrThrow(frame.openBundle())
    const r = Effect.runSync(Effect.either(putVertex().apply(bundle.forOperation({ reads: [], writes: [] }), ctx)))
    expect(Either.isLeft(r) && r.left._tag).toBe("AccessViolation")
    bundle.discard()
  })

  test("every write id is in the declared write set (deploy included: its write is the derived metadata vertex)", () => {
    const deploy = bind(hypergraphDeploy, build(b.deploy, { config: testConfig, schema: testSchema }))
    expect(deploy.accessSet(ctxFor(HYPERGRAPH_BASE_DOMAIN)).writes).toEqual([atomId(instanceDomain, addr(0xff))])
    expect(putVertex().accessSet(ctx).writes).toEqual([atomId(instanceDomain, addr(1))])
    expect(removeEdge().accessSet(ctx).writes).toEqual([atomId(instanceDomain, addr(9))])
  })
})

describe("queries", () => {
  test("vertex, hyperedge and shard-info answer from the view", () => {
    const frame = deployedFrame()
    run(frame, putVertex())
    run(frame, putEdge())
    const [vq, hq, sq] = hypergraphQueries
    const id = Buffer.from(atomId(instanceDomain, addr(1))).toString("hex")
    const v = Effect.runSync(vq!.run({ id }, frame)) as { type: string; entries: Array<{ key: string; value: string }> }
    expect(v.type).toBe("vertex/adds")
    expect(v.entries).toEqual([{ key: Buffer.from("name").toString("hex"), value: Buffer.from("alice").toString("hex") }])
    const h = Effect.runSync(hq!.run({ id: Buffer.from(atomId(instanceDomain, addr(9))).toString("hex") }, frame)) as { entries: Array<unknown> }
    expect(h.entries.length).toBe(2)
    const missing = Effect.runSync(Effect.either(vq!.run({ id: "00".repeat(64) }, frame)))
    expect(Either.isLeft(missing) && missing.left.kind).toBe("not-found")
    const s = Effect.runSync(sq!.run({ address: id }, frame)) as { subShard: number | null }
    expect(s.subShard).toBe(1)
  })
})
