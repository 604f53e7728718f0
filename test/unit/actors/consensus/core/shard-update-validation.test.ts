// The ProverShardUpdate rules a global frame's requests must pass (consensus.md §4.5, §10.4; global
// DECISIONS D-GC-17): a certified header passes; each bad case is rejected with its own reason.
import { describe, expect, test } from "bun:test"
import { Effect, Either } from "effect"
import { CanonicalWriter } from "../../../../../actors/consensus/core/canonical/writer.ts"
import { AppFrameHeader, encodeAppFrameHeader } from "../../../../../actors/consensus/core/messages/app-frame-header.ts"
import { encodeProverShardUpdate } from "../../../../../actors/consensus/core/messages/prover-shard-update.ts"
import { BLS48581AggregateSignature } from "../../../../../actors/consensus/core/messages/signatures.ts"
import { type ShardUpdateContext, validateShardUpdates } from "../../../../../actors/consensus/core/shard-update-validation.ts"
import { makeSignerBitmask } from "../../../../../actors/consensus/core/signer-bitmask.ts"
import { certify, unsignedShardHeader } from "./support/certified-shard-header.ts"
import { CryptoLayer, makeCommittee } from "./support/devnet-crypto.ts"

const { provers } = makeCommittee(4)
const A = new Uint8Array(32).fill(0x5a)
const B = new Uint8Array(32).fill(0x5b)
const prover = provers[0]?.address ?? new Uint8Array(32)
const certified = (address: Uint8Array, frameNumber: bigint, signers: ReadonlyArray<number> = [0, 1, 2]) =>
  certify(unsignedShardHeader(address, frameNumber, prover), provers, signers).header

const context = (globalFrameNumber: bigint, last: Record<string, bigint> = {}): ShardUpdateContext => ({
  globalFrameNumber,
  committee: () => provers,
  lastIncluded: (address) => last[Buffer.from(address).toString("hex")],
})

const check = (requests: ReadonlyArray<Uint8Array>, ctx: ShardUpdateContext = context(12n)) =>
  Effect.runSync(Effect.either(validateShardUpdates(requests, ctx).pipe(Effect.provide(CryptoLayer))))
const reasonOf = (requests: ReadonlyArray<Uint8Array>, ctx?: ShardUpdateContext) =>
  Either.match(check(requests, ctx), { onLeft: (e) => `${e.reason}@${e.index}`, onRight: () => "valid" })

const withSignature = (header: AppFrameHeader, change: Partial<BLS48581AggregateSignature>) => {
  const sig = header.publicKeySignatureBls48581
  if (sig === undefined) throw new Error("uncertified")
  return new AppFrameHeader({ ...header, publicKeySignatureBls48581: new BLS48581AggregateSignature({ ...sig, ...change }) })
}

describe("ProverShardUpdate validation", () => {
  test("certified headers of two shards pass and come back in frame order", () => {
    const a = certified(A, 10n)
    const b = certified(B, 7n, [0, 1, 2, 3])
    const result = check([encodeProverShardUpdate(a), encodeProverShardUpdate(b)], context(12n, { [Buffer.from(A).toString("hex")]: 9n }))
    expect(Either.isRight(result)).toBe(true)
    if (Either.isRight(result)) expect(result.right.map((h) => h.frameNumber)).toEqual([10n, 7n])
  })

  test("not a shard-update bundle: undecodable; a bundle stamped with another time: bundle-timestamp", () => {
    expect(reasonOf([Uint8Array.of(0, 0, 3, 0x12, 0, 0, 0, 0)])).toBe("undecodable@0")
    const h = certified(A, 10n)
    const request = new CanonicalWriter().u32(0x0311).bytes(encodeAppFrameHeader(h)).finish()
    const restamped = new CanonicalWriter()
      .u32(0x0312)
      .u32(1)
      .bytes(request)
      .i64(h.timestamp + 1n)
      .finish()
    expect(reasonOf([restamped])).toBe("bundle-timestamp@0")
  })

  test("two updates for one shard in one frame: duplicate-shard", () => {
    expect(reasonOf([encodeProverShardUpdate(certified(A, 9n)), encodeProverShardUpdate(certified(A, 10n))])).toBe("duplicate-shard@1")
  })

  test("frame-number rule: below the global frame, not genesis, within the window, above the branch's last update", () => {
    const u = encodeProverShardUpdate(certified(A, 10n))
    expect(reasonOf([u], context(11n))).toBe("valid")
    // The reference's exact rule would also accept only 11; quilbun accepts any later global frame in the window.
    expect(reasonOf([u], context(42n))).toBe("valid")
    expect(reasonOf([u], context(10n))).toBe("frame-number@0")
    expect(reasonOf([u], context(9n))).toBe("frame-number@0")
    expect(reasonOf([u], context(43n))).toBe("stale@0")
    expect(reasonOf([u], context(12n, { [Buffer.from(A).toString("hex")]: 10n }))).toBe("replayed@0")
    expect(reasonOf([u], context(12n, { [Buffer.from(A).toString("hex")]: 11n }))).toBe("replayed@0")
    expect(reasonOf([encodeProverShardUpdate(certified(A, 0n))], context(5n))).toBe("frame-number@0")
  })

  test("the header's own rules: a tampered VDF output is a header failure", () => {
    const h = certified(A, 10n)
    const output = h.output.slice()
    output[3] = (output[3] ?? 0) ^ 1
    expect(reasonOf([encodeProverShardUpdate(new AppFrameHeader({ ...h, output }))])).toBe("header@0")
  })

  test("no certificate, or not a bare 74-byte aggregate: signature-encoding", () => {
    const { publicKeySignatureBls48581: _dropped, ...unsigned } = certified(A, 10n)
    expect(reasonOf([encodeProverShardUpdate(new AppFrameHeader(unsigned))])).toBe("signature-encoding@0")
    const h = certified(A, 10n)
    const longer = new Uint8Array(75)
    longer.set(h.publicKeySignatureBls48581?.signature ?? new Uint8Array(74))
    expect(reasonOf([encodeProverShardUpdate(withSignature(h, { signature: longer }))])).toBe("signature-encoding@0")
  })

  test("bitmask empty or naming a prover beyond the active list: bitmask", () => {
    const h = certified(A, 10n)
    expect(reasonOf([encodeProverShardUpdate(withSignature(h, { bitmask: new Uint8Array(1) }))])).toBe("bitmask@0")
    expect(reasonOf([encodeProverShardUpdate(withSignature(h, { bitmask: makeSignerBitmask([0, 1, 5], 8) }))])).toBe("bitmask@0")
  })

  test("participation ×3 < active ×2 (2 of 4 by heads): participation", () => {
    expect(reasonOf([encodeProverShardUpdate(certified(A, 10n, [0, 1]))])).toBe("participation@0")
    expect(reasonOf([encodeProverShardUpdate(certified(A, 10n, [1, 2, 3]))])).toBe("valid")
  })

  test("a bitmask naming other signers than the aggregate key: aggregate-public-key", () => {
    const h = certified(A, 10n, [0, 1, 2])
    expect(reasonOf([encodeProverShardUpdate(withSignature(h, { bitmask: makeSignerBitmask([0, 1, 3], provers.length) }))])).toBe("aggregate-public-key@0")
  })

  test("an aggregate that does not sign this header's vote message: signature", () => {
    const h = certified(A, 10n)
    // The rank is not in the VDF challenge, so the header stays valid; the certificate no longer covers it.
    expect(reasonOf([encodeProverShardUpdate(new AppFrameHeader({ ...h, rank: h.rank + 1n }))])).toBe("signature@0")
    // Another shard's certificate on this header.
    const other = certified(B, 10n)
    expect(reasonOf([encodeProverShardUpdate(withSignature(h, { signature: other.publicKeySignatureBls48581?.signature ?? new Uint8Array(74) }))])).toBe(
      "signature@0",
    )
  })

  test("a shard whose committee is another list (two provers it does not have): bitmask", () => {
    const ctx: ShardUpdateContext = { ...context(12n), committee: () => provers.slice(0, 2) }
    expect(reasonOf([encodeProverShardUpdate(certified(A, 10n))], ctx)).toBe("bitmask@0")
  })
})
