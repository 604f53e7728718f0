// `bun run bench bls`: BLS48-581 sign / verify / 64-signer aggregate verify and KZG commit (poly
// size 64) through bun:ffi, each beside @noble/curves BLS12-381 doing the same job in this run.
// Lines: `bls.<case> ms=<ours> baseline=<noble> ratio=<ours/noble>` (lower is better).
// Reference (MIRACL BLS48-581 on this kind of VM): sign 1.3 ms, verify 36 ms.
import { pippenger } from "@noble/curves/abstract/curve.js"
import { bls12_381 } from "@noble/curves/bls12-381.js"
import { Effect } from "effect"
import { makeBls } from "../../crates/ts/bls/bls.ts"
import { makeKzg } from "../../crates/ts/bls/kzg.ts"
import { opsPerSecond } from "./report.ts"

const msPerOp = async (body: () => void, ms: number): Promise<number> =>
  1000 / (await opsPerSecond(() => body(), { batch: 1, ms, warmupMs: Math.min(300, ms / 2) }))

const line = (name: string, ours: number, baseline: number): void => {
  const f = (x: number): string => (x >= 100 ? x.toFixed(0) : x >= 1 ? x.toFixed(2) : x.toPrecision(3))
  process.stdout.write(`${name} ms=${f(ours)} baseline=${f(baseline)} ratio=${(ours / baseline).toFixed(2)}\n`)
}

export const run = async (args: ReadonlyArray<string>): Promise<void> => {
  const budget = Number(args[0] ?? 2000)
  const bls = Effect.runSync(makeBls())
  const kzg = Effect.runSync(makeKzg())
  const domain = new TextEncoder().encode("global")
  const msg = new TextEncoder().encode("quilibrium benchmark message")
  const kp = Effect.runSync(bls.keygen(new Uint8Array(64).fill(1)))
  const sig = Effect.runSync(bls.sign(kp.secretKey, domain, msg))

  const noble = bls12_381.shortSignatures
  const nk = noble.keygen(new Uint8Array(48).fill(1))
  const nPk = nk.publicKey.toBytes()
  const nSig = noble.Signature.toBytes(noble.sign(noble.hash(msg), nk.secretKey))

  // sign: hash-to-G1, scalar multiplication, compressed encoding.
  const oursSign = await msPerOp(() => void Effect.runSync(bls.sign(kp.secretKey, domain, msg)), budget)
  const nobleSign = await msPerOp(() => void noble.Signature.toBytes(noble.sign(noble.hash(msg), nk.secretKey)), budget)
  line("bls.sign", oursSign, nobleSign)

  // verify: decode + subgroup checks + hash + pairing check.
  const oursVerify = await msPerOp(() => {
    if (!Effect.runSync(bls.verify(kp.publicKey, sig, domain, msg))) throw new Error("verify failed")
  }, budget)
  const nobleVerify = await msPerOp(() => {
    if (!noble.verify(nSig, noble.hash(msg), nPk)) throw new Error("noble verify failed")
  }, budget)
  line("bls.verify", oursVerify, nobleVerify)

  // 64 signers over distinct messages, one aggregate signature.
  const signers = Array.from({ length: 64 }, (_, i) => Effect.runSync(bls.keygen(new Uint8Array(64).fill(i + 2))))
  const msgs = signers.map((_, i) => new TextEncoder().encode(`message ${i}`))
  const sigs = signers.map((s, i) => Effect.runSync(bls.sign(s.secretKey, domain, msgs[i]!)))
  const { aggregateSignature } = Effect.runSync(
    bls.aggregate(
      signers.map((s) => s.publicKey),
      sigs,
    ),
  )
  const pks = signers.map((s) => s.publicKey)
  const oursAgg = await msPerOp(() => {
    if (!Effect.runSync(bls.verifyMultiMessage(pks, aggregateSignature, msgs, domain))) throw new Error("aggregate verify failed")
  }, budget)
  const nSigners = msgs.map((_, i) => noble.keygen(new Uint8Array(48).fill(i + 2)))
  const nAgg = noble.aggregateSignatures(nSigners.map((s, i) => noble.sign(noble.hash(msgs[i]!), s.secretKey)))
  const nItems = nSigners.map((s, i) => ({ message: noble.hash(msgs[i]!), publicKey: s.publicKey.toBytes() }))
  const nobleAgg = await msPerOp(() => {
    const items = nItems.map((it, i) => ({ message: noble.hash(msgs[i]!), publicKey: it.publicKey }))
    if (!noble.verifyBatch(nAgg, items)) throw new Error("noble aggregate verify failed")
  }, budget)
  line("bls.aggregateVerify64", oursAgg, nobleAgg)

  // KZG commit at poly size 64 (a 64-point G1 MSM with 512-bit scalars); baseline: noble G1 MSM
  // of 64 points with 255-bit scalars.
  const data = Uint8Array.from({ length: 64 * 64 }, (_, i) => (i % 64 < 2 ? 0 : (i * 131) & 0xff))
  const oursKzg = await msPerOp(() => void Effect.runSync(kzg.commit(data, 64)), budget)
  const G1 = bls12_381.G1.Point
  const order = bls12_381.fields.Fr.ORDER
  const points = Array.from({ length: 64 }, (_, i) => G1.BASE.multiply(BigInt(i + 7)))
  const scalars = Array.from({ length: 64 }, (_, i) => (BigInt(i + 1) * 0x9e3779b97f4a7c15f39cc0605cedc834n) % order)
  const nobleMsm = await msPerOp(() => void pippenger(G1, points, scalars).toBytes(), budget)
  line("bls.kzgCommit64", oursKzg, nobleMsm)
}
