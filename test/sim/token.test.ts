// The token intrinsic end to end on the testnet kit (quilbun/testing): 4 nodes, QUIL covered by its
// first bundle. Devnet coins for alice, a pending transfer to bob (change back to alice), bob's accept:
// each bundle commits, and the balances the nodes answer (query `balance`, unmasked with each view key)
// are what was sent minus the fees, which are burned. A second spend of the spent coin is rejected.
import { describe, expect, test } from "bun:test"
import { bytesToHex } from "@noble/hashes/utils.js"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import { atomId, type BuildEnv } from "../../intrinsics/contract/index.ts"
import { createdCoins, createdPendings, type HeldCoin, tokenBuilders } from "../../intrinsics/token/builders.ts"
import { QUIL_TOKEN_ADDRESS, QUIL_UNITS } from "../../intrinsics/token/constants.ts"
import { scalarToBytes } from "../../intrinsics/token/decaf.ts"
import { accountOf, type WalletKeys } from "../../intrinsics/token/stealth.ts"
import { nodeBuildEnv } from "../../runtime/node/intrinsics.ts"
import { Testnet } from "quilbun/testing"
import { alice, bob, entropy } from "../unit/intrinsics/token/fixtures/token-env.ts"

const QUIL = bytesToHex(QUIL_TOKEN_ADDRESS)
const FEE = 8_000_000n // 0.001 QUIL; a devnet's multiplier is 0, but every consumer needs a non-zero fee entry
// The node's own crypto (native KZG): record addresses must be the ones the nodes compute.
const env: BuildEnv = nodeBuildEnv
const build = <A>(builder: { build: (a: A, e: BuildEnv) => Effect.Effect<Uint8Array, unknown> }, args: A): Uint8Array =>
  Effect.runSync(builder.build(args, env))
const id = (address: Uint8Array): string => bytesToHex(atomId(QUIL_TOKEN_ADDRESS, address))

const balance = (net: Testnet, keys: WalletKeys, ids: ReadonlyArray<string>, node: number) =>
  net.query(
    "token",
    "balance",
    { ids: ids.join(","), viewKey: bytesToHex(scalarToBytes(keys.viewSecret)), spendKey: bytesToHex(accountOf(keys).spend), domain: QUIL },
    { node },
  )

describe("token on the testnet kit", () => {
  test("faucet → pending transfer → accept commits on every node; balances by query are right", async () => {
    await using net = await Testnet.start({ nodes: 4, shards: 1, seed: 21 })
    const funded = build(tokenBuilders.faucet, { to: accountOf(alice), values: [10n * QUIL_UNITS], entropy: entropy(1) })
    expect((await net.submit(funded, { node: 0 })).shard).toBe(QUIL)
    const [coin] = Either.getOrThrow(createdCoins(funded, env.crypto)) as Array<HeldCoin>
    if (coin === undefined) throw new Error("no coin")

    const sent = build(tokenBuilders.transfer, {
      keys: alice,
      inputs: [coin],
      to: accountOf(bob),
      amount: 3n * QUIL_UNITS,
      expiration: 1_000_000n,
      fee: FEE,
      entropy: entropy(2),
    })
    await net.submit(sent, { node: 1 })
    const [toBob, change] = Either.getOrThrow(createdPendings(sent, env.crypto))
    if (toBob === undefined || change === undefined) throw new Error("no pendings")

    const accepted = build(tokenBuilders.accept, { keys: bob, inputs: [toBob], fee: FEE, entropy: entropy(3) })
    await net.submit(accepted, { node: 2 })
    const [bobCoin] = Either.getOrThrow(createdCoins(accepted, env.crypto))
    if (bobCoin === undefined) throw new Error("no coin for bob")

    const every = [id(coin.address), id(toBob.address), id(change.address), id(bobCoin.address)]
    for (const node of [0, 3]) {
      // bob: the accepted coin (the pending he spent is skipped); alice: her change (her faucet coin is spent).
      expect(await balance(net, bob, every, node)).toEqual({
        total: String(3n * QUIL_UNITS - FEE),
        records: [{ id: id(bobCoin.address), kind: "coin", side: "coin", amount: String(3n * QUIL_UNITS - FEE) }],
      })
      expect(await balance(net, alice, every, node)).toEqual({
        total: String(7n * QUIL_UNITS - FEE),
        records: [{ id: id(change.address), kind: "pending", side: "to", amount: String(7n * QUIL_UNITS - FEE) }],
      })
      expect(await net.query("token", "record", { id: id(coin.address) }, { node })).toMatchObject({ kind: "coin", spent: true })
      expect(await net.query("token", "record", { id: id(toBob.address) }, { node })).toMatchObject({ kind: "pending", spent: true })
    }

    // The faucet coin again, in a later frame: every node refuses it (its marker is committed).
    const again = build(tokenBuilders.transfer, {
      keys: alice,
      inputs: [coin],
      to: accountOf(bob),
      amount: QUIL_UNITS,
      expiration: 1_000_000n,
      fee: FEE,
      entropy: entropy(4),
    })
    await expect(net.submit(again, { node: 3 })).rejects.toMatchObject({
      _tag: "BundleRejected",
      shard: QUIL,
      reason: expect.stringContaining("already spent"),
    })
    const roots = await net.roots(QUIL)
    for (const r of roots) expect(r?.roots).toEqual(roots[0]?.roots ?? [])
  }, 240_000)
})
