// The token intrinsic on a real single-node devnet (master + one data worker process): bundles built
// with the token's builders go through POST /v1/bundles, QUIL's shard is covered by the first one, and
// GET /v1/intrinsics/token/{record,balance} answer from the worker. Faucet → pending transfer → accept;
// then the same through `bun run cli token …` with two wallets (keys and index in their own directories).
import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { bytesToHex } from "@noble/hashes/utils.js"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import { atomId, encodeMessageBundle } from "../../intrinsics/contract/index.ts"
import { createdCoins, createdPendings, tokenBuilders } from "../../intrinsics/token/builders.ts"
import { QUIL_TOKEN_ADDRESS, QUIL_UNITS } from "../../intrinsics/token/constants.ts"
import { scalarToBytes } from "../../intrinsics/token/decaf.ts"
import { accountOf, type WalletKeys } from "../../intrinsics/token/stealth.ts"
import { nodeBuildEnv } from "../../runtime/node/intrinsics.ts"
import { startNode, type StartedNode } from "quilbun/embed"
import { alice, bob, entropy } from "../unit/intrinsics/token/fixtures/token-env.ts"
import { waitFor } from "./network/helpers.ts"

const QUIL = bytesToHex(QUIL_TOKEN_ADDRESS)
const FEE = 8_000_000n
let node: StartedNode
let timestamp = BigInt(Date.now())

beforeAll(async () => {
  node = await startNode({ workers: 1, flags: ["--set", "engine.difficulty=2000"] })
}, 60_000)

const walletDirs: Array<string> = []
afterAll(async () => {
  await node?.stop()
  for (const d of walletDirs) rmSync(d, { recursive: true, force: true })
})

/** POST /v1/bundles, then wait until GET /v1/bundles/{id} is no longer pending; answers that status. */
const submit = async (op: Uint8Array) => {
  const bundle = encodeMessageBundle([op], ++timestamp)
  const res = await node.fetch("/v1/bundles", {
    method: "POST",
    auth: true,
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ bundle: bytesToHex(bundle) }),
  })
  const accepted = (await res.json()) as { id: string; shard: string }
  expect(res.status).toBe(202)
  expect(accepted.shard).toBe(QUIL)
  let status: { status: string; reason?: string | null } = { status: "pending" }
  await waitFor(
    async () => {
      status = (await (await node.fetch(`/v1/bundles/${accepted.id}`)).json()) as typeof status
      return status.status !== "pending"
    },
    90_000,
    `bundle ${accepted.id}`,
  )
  return status
}

const build = <A>(builder: { build: (a: A, e: typeof nodeBuildEnv) => Effect.Effect<Uint8Array, unknown> }, args: A) =>
  Effect.runSync(builder.build(args, nodeBuildEnv))
const id = (address: Uint8Array) => bytesToHex(atomId(QUIL_TOKEN_ADDRESS, address))
const balance = async (keys: WalletKeys, ids: ReadonlyArray<string>) => {
  const q = new URLSearchParams({
    ids: ids.join(","),
    viewKey: bytesToHex(scalarToBytes(keys.viewSecret)),
    spendKey: bytesToHex(accountOf(keys).spend),
    domain: QUIL,
  })
  return (await (await node.fetch(`/v1/intrinsics/token/balance?${q}`)).json()) as { total: string }
}

describe("token on a single-node devnet", () => {
  test("faucet → pending transfer → accept commit; balances over the admin API", async () => {
    const funded = build(tokenBuilders.faucet, { to: accountOf(alice), values: [5n * QUIL_UNITS], entropy: entropy(31) })
    expect(await submit(funded)).toMatchObject({ status: "committed" })
    const [coin] = Either.getOrThrow(createdCoins(funded, nodeBuildEnv.crypto))
    if (coin === undefined) throw new Error("no coin")
    const sent = build(tokenBuilders.transfer, {
      keys: alice,
      inputs: [coin],
      to: accountOf(bob),
      amount: 2n * QUIL_UNITS,
      expiration: 1_000_000n,
      fee: FEE,
      entropy: entropy(32),
    })
    expect(await submit(sent)).toMatchObject({ status: "committed" })
    const [toBob, change] = Either.getOrThrow(createdPendings(sent, nodeBuildEnv.crypto))
    if (toBob === undefined || change === undefined) throw new Error("no pendings")
    const accepted = build(tokenBuilders.accept, { keys: bob, inputs: [toBob], fee: FEE, entropy: entropy(33) })
    expect(await submit(accepted)).toMatchObject({ status: "committed" })
    const [bobCoin] = Either.getOrThrow(createdCoins(accepted, nodeBuildEnv.crypto))
    if (bobCoin === undefined) throw new Error("no coin for bob")

    const ids = [coin, toBob, change, bobCoin].map((h) => id(h.address))
    expect((await balance(bob, ids)).total).toBe(String(2n * QUIL_UNITS - FEE))
    expect((await balance(alice, ids)).total).toBe(String(3n * QUIL_UNITS - FEE))
    // The wallet's price: cost × the worker's multiplier, 0 on a devnet (no fee market yet).
    const fee = await node.fetch(`/v1/intrinsics/token/fee?cost=600&domain=${QUIL}`)
    expect(await fee.json()).toEqual({ cost: "600", multiplier: "0", fee: "0" })
    const record = await node.fetch(`/v1/intrinsics/token/record?id=${id(coin.address)}`)
    expect(await record.json()).toMatchObject({ kind: "coin", spent: true })
    // A second spend of the spent coin is rejected by the worker with its reason.
    const again = build(tokenBuilders.transfer, {
      keys: alice,
      inputs: [coin],
      to: accountOf(bob),
      amount: QUIL_UNITS,
      expiration: 1_000_000n,
      fee: FEE,
      entropy: entropy(34),
    })
    expect(await submit(again)).toMatchObject({ status: "rejected", reason: expect.stringContaining("already spent") })
  }, 240_000)
})

const CLI = join(import.meta.dir, "..", "..", "runtime", "cli", "main.ts")

/** `bun run cli token …` against the node, with its own wallet directory (QUILBUN_WALLET_DIR). */
const walletIn =
  (dir: string) =>
  (...args: Array<string>) =>
    Bun.spawn([process.execPath, CLI, "token", ...args], {
      env: { ...process.env, QUILBUN_DATA_DIR: node.dataDir, QUILBUN_WALLET_DIR: dir },
      stdout: "pipe",
      stderr: "pipe",
    })

const newWalletDir = () => {
  const dir = mkdtempSync(join(tmpdir(), "quilbun-wallet-"))
  walletDirs.push(dir)
  return dir
}

/** Runs a command to its end: exit code, stdout lines, stderr. */
const runIn =
  (dir: string) =>
  async (...args: Array<string>) => {
    const p = walletIn(dir)(...args)
    const [code, out, err] = await Promise.all([p.exited, new Response(p.stdout).text(), new Response(p.stderr).text()])
    return { code, lines: out.trim().split("\n"), err: err.trim() }
  }

const wallet = () => {
  const run = runIn(newWalletDir())
  return async (...args: Array<string>) => {
    const r = await run(...args)
    if (r.code !== 0) throw new Error(`token ${args.join(" ")} exited ${r.code}: ${r.err}`)
    return r.lines
  }
}

describe("the token CLI: two wallets on the devnet", () => {
  test("faucet → transfer → accept; each wallet's balance from its own scanned index", async () => {
    const alice = wallet()
    const bob = wallet()
    const [bobLine] = await bob("account")
    const bobAccount = /^Account: (0x[0-9a-f]{224})$/.exec(bobLine ?? "")?.[1]
    if (bobAccount === undefined) throw new Error(`no account in ${bobLine}`)

    expect(await alice("faucet", "5")).toEqual(["Faucet transaction sent successfully (5.000000000000 QUIL)"])

    const sent = await alice("transfer", bobAccount, "2")
    expect(sent[0]).toBe("Pending transfer sent successfully")
    const pending = /^Pending: 0x([0-9a-f]{128})$/.exec(sent[1] ?? "")?.[1]
    expect(pending).toBeDefined()
    // Alice: her coin is spent; the change (5 − 2, no fee on a devnet: multiplier 0) waits as a pending to herself.
    expect(await alice("balance")).toEqual([
      expect.stringMatching(/^Total balance: 0\.000000000000 QUIL/),
      "Pending incoming: 3.000000000000 QUIL",
      "Pending outgoing: 2.000000000000 QUIL",
    ])
    expect(await bob("coins")).toEqual([`2.000000000000 QUIL (Pending 0x${pending})`])

    expect(await bob("accept")).toEqual(["Accept transaction sent successfully"])
    expect(await bob("balance")).toEqual([
      `Total balance: 2.000000000000 QUIL (Account ${bobAccount})`,
      "Pending incoming: 0.000000000000 QUIL",
      "Pending outgoing: 0.000000000000 QUIL",
    ])
    expect(await alice("accept")).toEqual(["Accept transaction sent successfully"])
    // Bob's accept spent the pending, so it no longer counts as outgoing for alice.
    expect((await alice("balance")).slice(0, 3)).toEqual([
      expect.stringMatching(/^Total balance: 3\.000000000000 QUIL/),
      "Pending incoming: 0.000000000000 QUIL",
      "Pending outgoing: 0.000000000000 QUIL",
    ])
    expect((await bob("rescan"))[0]).toMatch(/^Rescanned to frame \d+: 2 records of this wallet$/)
    const [coinLine] = await bob("coins")
    const coin = /^2\.000000000000 QUIL \(Coin (0x[0-9a-f]{128})\)$/.exec(coinLine ?? "")?.[1]
    if (coin === undefined) throw new Error(`no coin in ${coinLine}`)
    // Split and merge run in two steps (a pending to oneself, then the coins), a fee each (0 here).
    expect(await bob("split", coin, "0.5", "0.25")).toEqual(["Split transaction sent successfully (3 outputs)"])
    expect(await bob("merge", "all")).toEqual(["Merging 3 coins (total: 2.000000000000 QUIL)", "Merge transaction sent successfully"])
    expect((await bob("balance"))[0]).toBe(`Total balance: 2.000000000000 QUIL (Account ${bobAccount})`)
  }, 180_000)
})

describe("mutual transfer: two wallets on the devnet, CLI-driven", () => {
  test("the receiver waits at a rendezvous; a wrong amount is refused; the right one is accepted as soon as it commits", async () => {
    const senderDir = newWalletDir()
    const receiverDir = newWalletDir()
    const sender = runIn(senderDir)
    const receiver = runIn(receiverDir)
    expect((await sender("faucet", "5")).lines).toEqual(["Faucet transaction sent successfully (5.000000000000 QUIL)"])
    expect((await receiver("balance")).lines[0]).toMatch(/^Total balance: 0\.000000000000 QUIL/)

    // The receiver starts first and waits in the background; its first line is the rendezvous.
    const waiting = walletIn(receiverDir)("mutual-receive", "1.5", "--timeout", "240")
    const reader = waiting.stdout.getReader()
    let received = ""
    while (!received.includes("\n")) {
      const chunk = await reader.read()
      if (chunk.done) throw new Error(`mutual-receive ended early: ${received}; ${await new Response(waiting.stderr).text()}`)
      received += new TextDecoder().decode(chunk.value)
    }
    const rendezvous = /^Rendezvous: (0x[0-9a-f]{290})$/m.exec(received)?.[1]
    if (rendezvous === undefined) throw new Error(`no rendezvous in ${received}`)

    // A malformed rendezvous and a wrong amount: one line each, exit 1, nothing sent.
    const malformed = await sender("mutual-transfer", "0x1234", "1.5")
    expect(malformed.code).toBe(1)
    expect(malformed.err).toStartWith("error: a rendezvous is 145 bytes of hex")
    expect(malformed.err.split("\n")).toHaveLength(1)
    const wrong = await sender("mutual-transfer", rendezvous, "1.25")
    expect(wrong).toMatchObject({ code: 1, err: "error: the receiver expects 1.500000000000 QUIL; this transfer would send 1.250000000000 QUIL" })
    expect((await sender("balance")).lines[0]).toMatch(/^Total balance: 5\.000000000000 QUIL/)

    const sent = await sender("mutual-transfer", rendezvous, "1.5")
    expect(sent).toMatchObject({ code: 0, lines: ["Mutual transfer sent successfully"] })
    const [code, rest] = await Promise.all([
      waiting.exited,
      (async () => {
        let more = ""
        for (;;) {
          const chunk = await reader.read()
          if (chunk.done) return more
          more += new TextDecoder().decode(chunk.value)
        }
      })(),
    ])
    expect(code).toBe(0)
    const coin = /^Mutual transfer received: 1\.500000000000 QUIL \(Coin 0x([0-9a-f]{128})\)$/.exec((received + rest).trim().split("\n")[1] ?? "")?.[1]
    expect(coin).toBeDefined()

    // Balances move by exactly the amount (fees are 0 on a devnet): the receiver holds that coin; the
    // sender's 5 QUIL coin is spent and 3.5 returns as change; the mutual pending no longer counts.
    expect((await receiver("coins")).lines).toEqual([`1.500000000000 QUIL (Coin 0x${coin})`])
    // split -p: the received coin in three equal coins (the division's remainder would go to the last).
    expect((await receiver("split", `0x${coin}`, "-p", "3")).lines).toEqual(["Split transaction sent successfully (3 outputs)"])
    expect((await receiver("coins")).lines).toEqual(Array.from({ length: 3 }, () => expect.stringMatching(/^0\.500000000000 QUIL \(Coin 0x[0-9a-f]{128}\)$/)))
    expect((await sender("balance")).lines).toEqual([
      expect.stringMatching(/^Total balance: 0\.000000000000 QUIL/),
      "Pending incoming: 3.500000000000 QUIL",
      "Pending outgoing: 0.000000000000 QUIL",
    ])
  }, 300_000)

  test("a transfer nobody accepts: the sender gives up at expiration and reclaims it", async () => {
    const sender = runIn(newWalletDir())
    const receiver = runIn(newWalletDir())
    expect((await sender("faucet", "1")).lines).toEqual(["Faucet transaction sent successfully (1.000000000000 QUIL)"])
    // The receiver prints its rendezvous and stops waiting after a second (exit 1): nobody will accept.
    const gone = await receiver("mutual-receive", "0.5", "--timeout", "1")
    expect(gone.code).toBe(1)
    expect(gone.err).toBe("error: no mutual transfer of 0.500000000000 QUIL arrived within 1 s")
    const rendezvous = /^Rendezvous: (0x[0-9a-f]{290})$/.exec(gone.lines[0] ?? "")?.[1]
    if (rendezvous === undefined) throw new Error(`no rendezvous in ${gone.lines[0]}`)
    const created = (await (await node.fetch(`/v1/intrinsics/token/created?domain=${QUIL}&since=99999999`)).json()) as { head: string }
    const expires = BigInt(created.head) + 12n
    const sent = await sender("mutual-transfer", rendezvous, "0.5", "-e", String(expires))
    expect(sent.code).toBe(1)
    expect(sent.err).toMatch(new RegExp(`^error: the receiver did not accept Pending 0x[0-9a-f]{128} before frame ${expires}; \`token reclaim\` returns it$`))
    expect((await sender("reclaim")).lines).toEqual(["Reclaim transaction sent successfully (1 pending, 0.500000000000 QUIL)"])
    expect((await sender("balance")).lines.slice(1)).toEqual(["Pending incoming: 0.500000000000 QUIL", "Pending outgoing: 0.000000000000 QUIL"])
    expect((await sender("balance")).lines[0]).toMatch(/^Total balance: 0\.500000000000 QUIL/)
  }, 240_000)
})
