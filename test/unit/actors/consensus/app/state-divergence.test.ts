// Divergence naming (DECISIONS D-APP-14): two execution hosts run different code for the same plugin
// (the template, and a copy whose apply appends a byte); fed the same frame, their shard roots differ.
// A validator whose roots come from the second host refuses the first host's proposal with
// BadStateRoots, and the rejection, one ERROR log line and a metric name the shard, the plugin that
// owns its state and the id sets whose roots differ. A validator running the same code accepts.
import { afterEach, describe, expect, test } from "bun:test"
import { bytesToHex } from "@noble/hashes/utils.js"
import { Effect, Either, Layer, Logger, Metric } from "effect"
import { appChainKind, appGenesisFrame } from "../../../../../actors/consensus/app/app-chain-kind.ts"
import { type ShardOwner, shardOwner } from "../../../../../actors/consensus/app/shard-owner.ts"
import { differingSets, stateRootDivergences } from "../../../../../actors/consensus/app/state-divergence.ts"
import type { ValidationServices } from "../../../../../actors/consensus/core/chain-kind.ts"
import { AppFrameHeader } from "../../../../../actors/consensus/core/messages/app-frame-header.ts"
import { AppShardFrame } from "../../../../../actors/consensus/core/messages/app-shard-frame.ts"
import { BLS48581AggregateSignature } from "../../../../../actors/consensus/core/messages/signatures.ts"
import { makeVoteMessage, voteDomain } from "../../../../../actors/consensus/core/signed-messages.ts"
import { MAX_BITMASK_LENGTH, makeSignerBitmask } from "../../../../../actors/consensus/core/signer-bitmask.ts"
import { encodeBundle, GetShardRoots, ApplyFrame } from "../../../../../actors/execution/index.ts"
import { committedAtoms, storeSnapshot } from "../../../../../actors/execution/overlay/index.ts"
import {
  Absent,
  type AtomRef,
  atomId,
  type Intrinsic,
  type Lookup,
  loadIntrinsics,
  METADATA_ADDRESS,
  type DecodedOp,
  type Operation,
  present,
  type StateView,
} from "../../../../../intrinsics/contract/index.ts"
import template from "../../../../../plugins/template/index.ts"
import { DEFAULT_DOMAIN, noteOp } from "../../../../../plugins/template/template.ts"
import { instanceTypeTag } from "../../../../../runtime/node/intrinsics.ts"
import { Store } from "../../../../../runtime/store/index.ts"
import { hostOptions, tempStorePath, withHost } from "../../execution/harness.ts"
import { CryptoLayer, makeCommittee, signerLayer } from "../core/support/devnet-crypto.ts"
import { testPoseidonHashBytes as poseidon } from "../core/support/poseidon.ts"

const cleanups: Array<() => void> = []
afterEach(() => {
  for (const c of cleanups.splice(0)) c()
})

// The same plugin (name, version, op type, codec), different code: every value written gets a "!".
const shouting: Operation = {
  opType: noteOp.opType,
  name: noteOp.name,
  decode: (bytes) =>
    // Delegates explicitly: a decoded operation's functions live on its prototype, so a spread would drop them.
    Either.map(
      noteOp.decode(bytes),
      (op): DecodedOp => ({
        opType: op.opType,
        name: op.name,
        bytes: op.bytes,
        accessSet: (ctx) => op.accessSet(ctx),
        validate: (view, ctx) => op.validate(view, ctx),
        cost: () => op.cost(),
        producedFees: () => op.producedFees(),
        target: () => op.target(),
        apply: (view, ctx) => {
          const louder: StateView = {
            get: (ref) => view.get(ref),
            put: (ref, value, mode) => view.put(ref, Uint8Array.of(...value, 0x21), mode),
            remove: (ref) => view.remove(ref),
          }
          return op.apply(louder, ctx)
        },
      }),
    ),
}
const modified: Intrinsic = { ...template, operations: [shouting] }

const utf8 = new TextEncoder()
const frameBundles = [1, 2, 3].map((n) =>
  encodeBundle({
    domain: DEFAULT_DOMAIN,
    requests: [noteOp.encode({ domain: DEFAULT_DOMAIN, key: utf8.encode(`k${n}`), value: utf8.encode(`v${n}`) })],
    timestamp: 1n,
  }),
)
const CODE_HASH = "ab".repeat(32)

/** Applies the frame on a fresh host running `plugin`; its shard roots and the shard's owner as its node names it. */
const runHost = (plugin: Intrinsic) => {
  const { path, cleanup } = tempStorePath()
  cleanups.push(cleanup)
  const registry = Either.getOrThrow(loadIntrinsics([plugin]))
  return withHost(
    path,
    (host) =>
      Effect.gen(function* () {
        const applied = yield* host.ask(new ApplyFrame({ frameNumber: 1n, bundles: frameBundles }))
        const roots = yield* host.ask(new GetShardRoots({ frameNumber: 1n, shardAddress: DEFAULT_DOMAIN }))
        const store = yield* Store
        const owner = yield* store.read(() =>
          shardOwner(
            { registry, typeTagOf: instanceTypeTag },
            storeSnapshot(store.repository(committedAtoms)).read,
            DEFAULT_DOMAIN,
            new Map([["template", CODE_HASH]]),
          ),
        )
        return { applied, roots: roots.roots, owner }
      }),
    hostOptions({ feeMultiplier: () => 0n }),
    [plugin],
  )
}

const { provers } = makeCommittee(4)
const leader = provers[0]
if (leader === undefined) throw new Error("no prover")
const services = Layer.merge(CryptoLayer, signerLayer(leader.signer))

const kindWith = (roots: ReadonlyArray<Uint8Array>, owner: ShardOwner | undefined, genesis: AppShardFrame) =>
  appChainKind({
    address: DEFAULT_DOMAIN,
    genesis,
    ports: {
      takeRequests: () => Effect.succeed(frameBundles.map((b) => b.subarray(32))),
      stateRootsAt: () => Effect.succeed(roots),
      committedFrame: () => genesis,
      stateOwner: Effect.succeed(owner),
    },
  })

describe("state root divergence", () => {
  test("two hosts with different code for one plugin: the validator names the shard, the plugin and the sets", async () => {
    const a = await runHost(template)
    const b = await runHost(modified)
    expect(a.applied.applied.map((r) => r._tag)).toEqual(["Applied", "Applied", "Applied"])
    expect(b.applied.applied.map((r) => r._tag)).toEqual(["Applied", "Applied", "Applied"])
    expect(bytesToHex(a.roots[0] ?? new Uint8Array())).not.toBe(bytesToHex(b.roots[0] ?? new Uint8Array()))
    expect(differingSets(a.roots, b.roots)).toEqual(["vertex-adds"])
    expect(b.owner).toEqual({ intrinsic: "template", version: "0.1.0", codeHash: CODE_HASH })

    const lines: Array<string> = []
    const capture = Logger.replace(
      Logger.defaultLogger,
      Logger.make(({ logLevel, message, annotations }) => {
        const notes = [...annotations].map(([k, v]) => `${k}=${String(v)}`).join(" ")
        lines.push(`${logLevel.label} ${String(message)} ${notes}`)
      }),
    )
    const run = <A, E>(effect: Effect.Effect<A, E, ValidationServices>) =>
      Effect.runSync(Effect.either(effect.pipe(Effect.provide(Layer.merge(services, capture)))))
    const genesis = Either.getOrThrow(run(appGenesisFrame(DEFAULT_DOMAIN, 1)))
    const branch = { frame: () => undefined }
    const produced = Either.getOrThrow(
      run(
        kindWith(a.roots, a.owner, genesis).produceFrame({ parent: genesis, branch, rank: 1n, nowMs: 1_700_000_000_000n, proverIndex: 0, difficulty: () => 1 }),
      ),
    )
    const unsigned = produced.seal(new BLS48581AggregateSignature({ signature: new Uint8Array(74), bitmask: new Uint8Array(32) }))
    const selector = poseidon(unsigned.header.output)
    const signature = Either.getOrThrow(run(leader.signer.sign(makeVoteMessage(DEFAULT_DOMAIN, unsigned.header.rank, selector), voteDomain(DEFAULT_DOMAIN))))
    const aggregate = new BLS48581AggregateSignature({
      signature,
      publicKey: leader.signer.publicKey,
      bitmask: makeSignerBitmask([0], MAX_BITMASK_LENGTH * 8, MAX_BITMASK_LENGTH),
    })
    const frame = new AppShardFrame({ header: new AppFrameHeader({ ...unsigned.header, publicKeySignatureBls48581: aggregate }), requests: unsigned.requests })

    // Same code: accepted, nothing counted.
    const metric = stateRootDivergences(DEFAULT_DOMAIN, "template")
    const before = Effect.runSync(Metric.value(metric)).count
    expect(run(kindWith(a.roots, a.owner, genesis).validateFrame(frame, provers, genesis, branch))._tag).toBe("Right")
    expect(Effect.runSync(Metric.value(metric)).count).toBe(before)

    // Different code: refused, and named.
    const refused = run(kindWith(b.roots, b.owner, genesis).validateFrame(frame, provers, genesis, branch))
    if (Either.isRight(refused)) throw new Error("the diverging proposal was accepted")
    expect(refused.left._tag).toBe("BadStateRoots")
    const shard = bytesToHex(DEFAULT_DOMAIN)
    expect("detail" in refused.left && refused.left.detail).toBe(
      `state roots differ from this node's after frame 0: shard ${shard} intrinsic template@0.1.0 (code ${CODE_HASH.slice(0, 16)}) sets vertex-adds`,
    )
    expect(Effect.runSync(Metric.value(metric)).count).toBe(before + 1)
    const errors = lines.filter((l) => l.startsWith("ERROR"))
    expect(errors).toEqual([expect.stringContaining(`state roots diverge: shard=${shard} intrinsic=template frame=0`)])
    expect(errors[0]).toContain("sets=vertex-adds")
  })

  test("a deployed instance is owned by the intrinsic its metadata's type tag names (a base domain only)", () => {
    const registry = Either.getOrThrow(loadIntrinsics([template]))
    const deployed = new Uint8Array(32).fill(9)
    const metadata = Uint8Array.of(1, 2, 3)
    const read = (ref: AtomRef): Lookup => (bytesToHex(ref.id) === bytesToHex(atomId(deployed, METADATA_ADDRESS)) ? present(metadata) : Absent)
    const typeTagOf = (tag: Uint8Array) => (bytes: Uint8Array) => (bytesToHex(bytes) === bytesToHex(metadata) ? tag : undefined)
    expect(shardOwner({ registry, typeTagOf: typeTagOf(template.manifest.baseDomain) }, read, deployed)?.intrinsic).toBe("template")
    // A fixed instance's address is no type tag.
    expect(shardOwner({ registry, typeTagOf: typeTagOf(DEFAULT_DOMAIN) }, read, deployed)).toBeUndefined()
  })

  test("a shard address no loaded intrinsic owns names no owner", () => {
    const registry = Either.getOrThrow(loadIntrinsics([template]))
    expect(shardOwner({ registry, typeTagOf: instanceTypeTag }, () => ({ _tag: "Absent" }), new Uint8Array(32).fill(3))).toBeUndefined()
    // A sub-shard (L2 ‖ path) belongs to its L2's owner.
    expect(shardOwner({ registry, typeTagOf: instanceTypeTag }, () => ({ _tag: "Absent" }), Uint8Array.of(...DEFAULT_DOMAIN, 5))?.intrinsic).toBe("template")
  })
})
