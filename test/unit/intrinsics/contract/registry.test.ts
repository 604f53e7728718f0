import { describe, expect, test } from "bun:test"
import * as Args from "@effect/cli/Args"
import * as Command from "@effect/cli/Command"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import fc from "fast-check"
import {
  atomId,
  canonicalWriter,
  type CliContribution,
  defineOperation,
  type Dispatched,
  eraseCliCommand,
  type Intrinsic,
  intrinsicRoutePrefix,
  IntrinsicCliFailure,
  loadIntrinsics,
  malformed,
  type Manifest,
  type ReadView,
  type RegistryError,
  vertex,
} from "../../../../intrinsics/contract/index.ts"
import { NOTE_PUT, NOTE_REMOVE, noteDomain, noteIntrinsic, noteManifest, notePut, testCtx } from "./fixtures/note-intrinsic.ts"

const refusal = (list: ReadonlyArray<Intrinsic>): RegistryError => {
  const result = loadIntrinsics(list)
  if (Either.isRight(result)) throw new Error("expected the set to be refused")
  return result.left
}

const other = (overrides: Partial<Manifest>): Intrinsic => ({
  ...noteIntrinsic(noteManifest({ name: "ledger", baseDomain: new Uint8Array(32).fill(0x43), ...overrides })),
})

describe("registry", () => {
  test("refuses a manifest whose op types overlap another's, naming both intrinsics and the prefix", () => {
    const error = refusal([noteIntrinsic(), other({})])
    expect(error._tag).toBe("OverlappingOpType")
    expect(error.message).toBe('intrinsics "notes" and "ledger" both claim op type 0x7001')
  })

  test("refuses duplicate names, malformed manifests and op tables that do not match the manifest", () => {
    const dup = refusal([noteIntrinsic(), noteIntrinsic()])
    expect(dup.message).toBe('two intrinsics are named "notes"')

    const malformed = refusal([noteIntrinsic(noteManifest({ baseDomain: new Uint8Array(3) }))])
    expect(malformed._tag).toBe("MalformedManifest")
    expect(malformed.message).toContain('intrinsic "notes": malformed manifest:')
    expect(malformed.message).toContain("expected 32 bytes, got 3")

    const missing = refusal([{ ...noteIntrinsic(), operations: [notePut] }])
    expect(missing.message).toBe('intrinsic "notes": no operation for op types 0x7002')
    const twice = refusal([{ ...noteIntrinsic(), operations: [notePut, notePut] }])
    expect(twice.message).toBe('intrinsic "notes": two operations for op type 0x7001')
  })

  test("refuses two intrinsics routed by one domain", () => {
    const ledger = noteIntrinsic(
      noteManifest({
        name: "ledger",
        baseDomain: new Uint8Array(32).fill(0x43),
        opTypes: [0x7101],
        feePolicy: [{ opType: 0x7101, role: "free", producesFees: false }],
      }),
    )
    const clash = refusal([
      noteIntrinsic(),
      { ...ledger, operations: [{ ...notePut, opType: 0x7101 }], manifest: { ...ledger.manifest, fixedInstances: [{ label: "x", address: noteDomain }] } },
    ])
    expect(clash._tag).toBe("OverlappingDomain")
    expect(clash.message).toBe(`intrinsics "notes" and "ledger" both route domain ${"42".repeat(32)}`)
  })

  test("dispatches canonical bytes to the owner by prefix, totally", () => {
    const registry = Either.getOrThrow(loadIntrinsics([noteIntrinsic()]))
    expect(registry.byName("notes")?.manifest.name).toBe("notes")
    expect(registry.byDomain(noteDomain)?.manifest.name).toBe("notes")
    expect(registry.byDomain(new Uint8Array(32))).toBeUndefined()
    expect(registry.ownerOf(NOTE_REMOVE)?.manifest.name).toBe("notes")
    const bytes = notePut.encode({ domain: noteDomain, address: new Uint8Array(32).fill(1), note: Uint8Array.of(1, 2, 3) })
    const decoded: Dispatched = Either.getOrThrow(registry.decode(bytes))
    expect(decoded.op.name).toBe("note-put")
    expect(decoded.feeRole).toBe("consumer")
    expect(decoded.op.cost()).toBe(3n)
    expect(decoded.op.producedFees()).toEqual([])
    expect(decoded.op.accessSet(testCtx()).writes).toEqual([atomId(noteDomain, new Uint8Array(32).fill(1))])
    const unknown = registry.decode(Uint8Array.of(0, 0, 0x05, 0x09))
    expect(Either.isLeft(unknown) && unknown.left.message).toBe("operation 0x0509: malformed: no loaded intrinsic owns this op type")
    expect(Either.isLeft(registry.decode(new Uint8Array(2)))).toBe(true)
  })
})

describe("operations", () => {
  test("bytes that decode but are not the canonical encoding are refused; a throwing codec is a Left", () => {
    // A careless decoder that ignores trailing bytes: defineOperation re-encodes and compares.
    const LAX = 0x7301
    const lax = defineOperation<{ readonly n: number }>({
      opType: LAX,
      name: "lax",
      encode: (op) => canonicalWriter(LAX).u8(op.n).finish(),
      decode: (bytes) => (bytes.length >= 5 ? Either.right({ n: bytes[4] ?? 0 }) : Either.left(malformed(LAX, "short"))),
      accessSet: () => ({ reads: [], writes: [] }),
      validate: () => Effect.void,
      apply: () => Effect.succeed([]),
      cost: () => 0n,
    })
    const good = lax.encode({ n: 7 })
    expect(Either.isRight(lax.decode(good))).toBe(true)
    const trailing = lax.decode(Uint8Array.from([...good, 0]))
    expect(Either.isLeft(trailing) && trailing.left.reason).toBe("not the canonical encoding")
    const throwing = defineOperation<{ readonly n: number }>({
      ...{
        opType: LAX,
        name: "throwing",
        accessSet: () => ({ reads: [], writes: [] }),
        validate: () => Effect.void,
        apply: () => Effect.succeed([]),
        cost: () => 0n,
      },
      encode: () => {
        throw new RangeError("encoder bug")
      },
      decode: () => Either.right({ n: 1 }),
    })
    const refused = throwing.decode(good)
    expect(Either.isLeft(refused) && refused.left.reason).toBe("decoder threw: encoder bug")
  })

  test("a lax decoder's non-canonical inputs are refused exactly; an accepted op keeps a private copy of its bytes", () => {
    // The decoder maps many inputs to one value (any non-zero flag byte is `true`, trailing bytes
    // ignored); only the one canonical form of each value may pass, whatever the mutation.
    const LOSSY = 0x7302
    const lossy = defineOperation<{ readonly flag: boolean; readonly n: number }>({
      opType: LOSSY,
      name: "lossy",
      encode: (op) =>
        canonicalWriter(LOSSY)
          .u8(op.flag ? 1 : 0)
          .u8(op.n)
          .finish(),
      decode: (bytes) =>
        bytes.length >= 6 && bytes[3] === 0x02 && bytes[2] === 0x73
          ? Either.right({ flag: bytes[4] !== 0, n: bytes[5] ?? 0 })
          : Either.left(malformed(LOSSY, "short")),
      accessSet: () => ({ reads: [], writes: [] }),
      validate: () => Effect.void,
      apply: () => Effect.succeed([]),
      cost: () => 0n,
    })
    const canonical = (b: Uint8Array): boolean => b.length === 6 && b[0] === 0 && b[1] === 0 && b[2] === 0x73 && b[3] === 0x02 && (b[4] === 0 || b[4] === 1)
    const mutation = fc.oneof(
      fc.record({ kind: fc.constant("set" as const), at: fc.nat(7), byte: fc.integer({ min: 0, max: 255 }) }),
      fc.record({ kind: fc.constant("insert" as const), at: fc.nat(7), byte: fc.integer({ min: 0, max: 255 }) }),
      fc.record({ kind: fc.constant("delete" as const), at: fc.nat(7), byte: fc.constant(0) }),
    )
    const mutate = (b: Uint8Array, m: { readonly kind: "set" | "insert" | "delete"; readonly at: number; readonly byte: number }): Uint8Array => {
      const out = [...b]
      const at = Math.min(m.at, out.length)
      if (m.kind === "set" && at < out.length) out[at] = m.byte
      if (m.kind === "insert") out.splice(at, 0, m.byte)
      if (m.kind === "delete") out.splice(at, 1)
      return Uint8Array.from(out)
    }
    fc.assert(
      fc.property(fc.boolean(), fc.integer({ min: 0, max: 255 }), fc.array(mutation, { maxLength: 3 }), (flag, n, mutations) => {
        const input = mutations.reduce(mutate, lossy.encode({ flag, n }))
        const decoded = lossy.decode(input)
        expect(Either.isRight(decoded)).toBe(canonical(input))
        if (Either.isRight(decoded)) {
          const kept = Uint8Array.from(input)
          expect(decoded.right.bytes).toEqual(kept)
          input.fill(0xee)
          expect(decoded.right.bytes).toEqual(kept)
        } else expect(decoded.left.reason).toMatch(/short|not the canonical encoding/)
      }),
      { numRuns: 5_000 },
    )
  })

  test("validate enforces the routed domain and the fee, as the contract's fixture shows", async () => {
    const op = notePut.bind({ domain: noteDomain, address: noteDomain, note: new Uint8Array(10) })
    const view: ReadView = { get: () => ({ _tag: "Absent" }) }
    expect(await Effect.runPromise(Effect.either(op.validate(view, testCtx())))).toEqual(Either.right(undefined))
    const poor = await Effect.runPromise(Effect.either(op.validate(view, testCtx({ feePaid: 9n }))))
    expect(Either.isLeft(poor) && poor.left.kind).toBe("insufficient-fee")
    const misrouted = await Effect.runPromise(Effect.either(op.validate(view, testCtx({ routedDomain: new Uint8Array(32) }))))
    expect(Either.isLeft(misrouted) && misrouted.left.message).toBe("operation 0x7001: invalid: domain is not the routed domain")
  })
})

describe("queries, builders, CLI and HTTP surfaces", () => {
  const address = "01".repeat(32)
  const view: ReadView = {
    get: (ref) => (ref.id[32] === 1 ? { _tag: "Present", value: new TextEncoder().encode("hello") } : { _tag: "Absent" }),
  }
  const [query] = noteIntrinsic().queries

  test("a query decodes its arguments, runs against the view and encodes its result", async () => {
    if (query === undefined) throw new Error("the fixture has a query")
    expect(await Effect.runPromise(query.run({ address }, view))).toEqual({ note: "hello" })
    const bad = await Effect.runPromise(Effect.either(query.run({ address: "zz" }, view)))
    expect(Either.isLeft(bad) && bad.left.kind).toBe("bad-request")
    const missing = await Effect.runPromise(Effect.either(query.run({ address: "02".repeat(32) }, view)))
    expect(Either.isLeft(missing) && missing.left.message).toBe(`not-found: no note at ${"02".repeat(32)}`)
    expect(vertex(new Uint8Array(64)).kind).toBe("vertex")
  })

  test("builders give the canonical bytes the registry decodes", async () => {
    const intrinsic = noteIntrinsic()
    const env = { crypto: testCtx().crypto, frameNumber: 1n, read: () => Effect.succeed({ _tag: "Absent" as const }) }
    const bytes = await Effect.runPromise(intrinsic.builders.put.build({ domain: noteDomain, address: noteDomain, note: Uint8Array.of(5) }, env))
    expect(Either.isRight(notePut.decode(bytes))).toBe(true)
    expect(new DataView(bytes.buffer).getUint32(0)).toBe(NOTE_PUT)
  })

  test("a CLI contribution is a group of erased @effect/cli commands; HTTP mounts under /v1/intrinsics/<name>/", () => {
    const show = Command.make("show", { address: Args.text({ name: "address" }) }, ({ address: a }) =>
      a.length === 64 ? Effect.void : Effect.fail(new IntrinsicCliFailure({ reason: "an address is 64 hex digits", usage: true })),
    )
    const cli: CliContribution = () => ({ description: "Notes.", members: [eraseCliCommand(show)] })
    const group = cli({
      api: { get: () => Effect.succeed({}), post: () => Effect.succeed({}), submitBundle: () => Effect.void },
      build: { crypto: testCtx().crypto, frameNumber: 1n, read: () => Effect.succeed({ _tag: "Absent" }) },
      dataDir: "/nonexistent",
    })
    expect(group.members).toHaveLength(1)
    expect(intrinsicRoutePrefix("notes")).toBe("/v1/intrinsics/notes/")
  })
})
