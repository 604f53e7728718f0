// `bun run cli token …` (spec §11.5; printed lines as §7.3 where the reference has the command). Every
// command opens the wallet (keys and index in the wallet directory, D-TOKEN-12/13), brings the index up
// to the node's head with the scanner, and works from the index; writes are built with the builders
// and submitted as one-operation bundles, waiting until committed.
import { randomBytes } from "node:crypto"
import { join } from "node:path"
import * as Args from "@effect/cli/Args"
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import { bytesToHex, hexToBytes } from "@noble/hashes/utils.js"
import * as Clock from "effect/Clock"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import { atomId, type BuildError, type CliContribution, type CliEnv, encodeMessageBundle, eraseCliCommand, IntrinsicCliFailure } from "../contract/index.ts"
import { createdCoins, createdPendings, tokenBuilders } from "./builders.ts"
import { MAX_INPUTS, MAX_OUTPUTS, QUIL_TOKEN_ADDRESS } from "./constants.ts"
import { pendingCostOf } from "./ops/pending-transaction.ts"
import { transactionCostOf } from "./ops/transaction.ts"
import { type Account, accountOf, decodeAccount, encodeAccount, type WalletKeys } from "./stealth.ts"
import { formatQuil, parseQuil } from "./wallet/amounts.ts"
import type { WalletError } from "./wallet/errors.ts"
import { feeFor } from "./wallet/fees.ts"
import { loadOrCreateKeys } from "./wallet/key-file.ts"
import { decodeRendezvous, encodeRendezvous, matchMutual, mutualEphemeral, type Rendezvous } from "./wallet/rendezvous.ts"
import { syncIndex } from "./wallet/scanner.ts"
import {
  balancesOf,
  emptyIndex,
  heldCoin,
  heldPending,
  type IndexedRecord,
  isIncoming,
  isOutgoing,
  isReclaimable,
  loadIndex,
  saveIndex,
  type WalletIndex,
} from "./wallet/wallet-index.ts"

const usage = (reason: string) => new IntrinsicCliFailure({ reason, usage: true })
const failed = (reason: string) => new IntrinsicCliFailure({ reason, usage: false })
const fromWallet = <A>(e: Effect.Effect<A, WalletError | IntrinsicCliFailure>): Effect.Effect<A, IntrinsicCliFailure> =>
  Effect.mapError(e, (x) => (x._tag === "WalletError" ? failed(x.reason) : x))
const fromBuild = <A>(e: Effect.Effect<A, BuildError>): Effect.Effect<A, IntrinsicCliFailure> => Effect.mapError(e, (x) => failed(x.reason))

/** A transfer's default expiration: head frame + 200 (spec §11.5). */
const EXPIRATION_FRAMES = 200n

/** `QUILBUN_WALLET_DIR`, else `<dataDir>/wallet` (D-TOKEN-12). */
const walletDir = (env: Pick<CliEnv, "dataDir">): string => process.env.QUILBUN_WALLET_DIR ?? join(env.dataDir, "wallet")

interface OpenWallet {
  readonly dir: string
  readonly keys: WalletKeys
  readonly index: WalletIndex
  readonly head: bigint | undefined
}

/** Keys (created on first use), the index synced to the node's head and saved. `fresh` starts from frame 0. */
const openWallet = (env: CliEnv, fresh = false): Effect.Effect<OpenWallet, IntrinsicCliFailure> =>
  fromWallet(
    Effect.gen(function* () {
      const dir = walletDir(env)
      const keys = yield* loadOrCreateKeys(dir)
      const stored = fresh ? emptyIndex(keys) : yield* loadIndex(dir, keys)
      const synced = yield* syncIndex(env.api, keys, stored)
      yield* saveIndex(dir, synced.index)
      return { dir, keys, index: synced.index, head: synced.head }
    }),
  )

const printLines = (lines: ReadonlyArray<string>): Effect.Effect<void> => Effect.forEach(lines, (l) => Console.log(l), { discard: true })

const submit = (env: CliEnv, operation: Uint8Array): Effect.Effect<void, IntrinsicCliFailure> =>
  Effect.flatMap(Clock.currentTimeMillis, (now) => env.api.submitBundle(encodeMessageBundle([operation], BigInt(now))))

/** cost × the node's multiplier for an operation of that cost basis (D-TOKEN-15). */
const fee = (env: CliEnv, cost: bigint): Effect.Effect<bigint, IntrinsicCliFailure> => fromWallet(feeFor(env.api, cost))

const entropy = (): Uint8Array => new Uint8Array(randomBytes(32))

/** An account as `viewhex:spendhex` (spec §7.3) or the 112-byte `V ‖ S` hex `token account` prints. */
export const parseAccount = (text: string): Account | undefined => {
  const strip = (h: string) => (h.startsWith("0x") || h.startsWith("0X") ? h.slice(2) : h)
  const hex = text.includes(":") ? text.split(":").map(strip).join("") : strip(text)
  if (!/^[0-9a-fA-F]{224}$/.test(hex)) return undefined
  return decodeAccount(hexToBytes(hex))
}

const accountHexOf = (keys: WalletKeys): string => `0x${bytesToHex(encodeAccount(accountOf(keys)))}`
const unspent = (index: WalletIndex, test: (r: IndexedRecord) => boolean) => index.records.filter((r) => !r.record.spent && test(r))

/** Coins for `need`: the smallest single coin ≥ need (an exact match first, spec §7.3), else the largest coins until they cover it. */
export const pickCoins = (coins: ReadonlyArray<IndexedRecord>, need: bigint): ReadonlyArray<IndexedRecord> | undefined => {
  const byValue = [...coins].sort((a, b) => (BigInt(a.value) < BigInt(b.value) ? -1 : BigInt(a.value) > BigInt(b.value) ? 1 : 0))
  const single = byValue.find((c) => BigInt(c.value) === need) ?? byValue.find((c) => BigInt(c.value) >= need)
  if (single !== undefined) return [single]
  const picked: Array<IndexedRecord> = []
  let total = 0n
  for (const c of byValue.reverse().slice(0, MAX_INPUTS)) {
    picked.push(c)
    total += BigInt(c.value)
    if (total >= need) return picked
  }
  return undefined
}

const amountArg = (text: string) => {
  const units = parseQuil(text)
  return units === undefined || units === 0n ? Effect.fail(usage(`amount must be a positive decimal QUIL amount: ${text}`)) : Effect.succeed(units)
}

const accountCommand = (env: CliEnv) =>
  Command.make("account", {}, () => Effect.flatMap(fromWallet(loadOrCreateKeys(walletDir(env))), (keys) => Console.log(`Account: ${accountHexOf(keys)}`))).pipe(
    Command.withDescription("Print this wallet's account (V ‖ S, 112 bytes hex); creates the wallet keys on first use."),
  )

const balanceCommand = (env: CliEnv) =>
  Command.make("balance", {}, () =>
    Effect.flatMap(openWallet(env), (w) => {
      const b = balancesOf(w.index)
      return printLines([
        `Total balance: ${formatQuil(b.coins)} QUIL (Account ${accountHexOf(w.keys)})`,
        `Pending incoming: ${formatQuil(b.pendingIn)} QUIL`,
        `Pending outgoing: ${formatQuil(b.pendingOut)} QUIL`,
      ])
    }),
  ).pipe(Command.withDescription("Coins held, and pending transfers in and out, from the wallet index."))

const coinsCommand = (env: CliEnv) =>
  Command.make("coins", {}, () =>
    Effect.flatMap(openWallet(env), (w) => {
      const lines = [
        ...unspent(w.index, (r) => r.kind === "coin").map((r) => `${formatQuil(BigInt(r.value))} QUIL (Coin 0x${r.record.id})`),
        ...unspent(w.index, isIncoming).map((r) => `${formatQuil(BigInt(r.value))} QUIL (Pending 0x${r.record.id})`),
        ...unspent(w.index, isOutgoing).map(
          (r) => `${formatQuil(BigInt(r.value))} QUIL (Outgoing Pending 0x${r.record.id}, reclaimable from frame ${r.record.expiration ?? "?"})`,
        ),
      ]
      return printLines(lines.length === 0 ? ["No coins found"] : lines)
    }),
  ).pipe(Command.withDescription("One line per unspent coin and pending transfer in the wallet index."))

const faucetCommand = (env: CliEnv) =>
  Command.make("faucet", { amount: Args.text({ name: "Amount" }) }, ({ amount }) =>
    Effect.gen(function* () {
      const units = yield* amountArg(amount)
      const w = yield* openWallet(env)
      const op = yield* fromBuild(
        tokenBuilders.faucet.build({ to: accountOf(w.keys), values: [units], entropy: entropy(), frameNumber: w.head ?? 0n }, env.build),
      )
      yield* submit(env, op)
      yield* Console.log(`Faucet transaction sent successfully (${formatQuil(units)} QUIL)`)
    }),
  ).pipe(Command.withDescription("Devnet only: mint a coin of the given QUIL amount to this wallet."))

const expirationOption = Options.integer("expiration").pipe(
  Options.withAlias("e"),
  Options.optional,
  Options.withDescription("The frame from which the refund account may reclaim (default: head + 200)."),
)

const transferCommand = (env: CliEnv) =>
  Command.make(
    "transfer",
    { args: Args.text({ name: "ToAccount [RefundAccount] Amount" }).pipe(Args.repeated), expiration: expirationOption },
    ({ args, expiration }) =>
      Effect.gen(function* () {
        if (args.length !== 2 && args.length !== 3) return yield* Effect.fail(usage("expected <ToAccount> [RefundAccount] <Amount>"))
        const to = parseAccount(args[0] ?? "")
        if (to === undefined) return yield* Effect.fail(usage(`not an account (viewhex:spendhex or 112 bytes hex): ${args[0]}`))
        const refund = args.length === 3 ? parseAccount(args[1] ?? "") : undefined
        if (args.length === 3 && refund === undefined) return yield* Effect.fail(usage(`not an account: ${args[1]}`))
        const units = yield* amountArg(args[args.length - 1] ?? "")
        const w = yield* openWallet(env)
        // Priced for two outputs (the transfer and change); exact when there is change, else a little over.
        const transferFee = yield* fee(env, pendingCostOf(2))
        const coins = pickCoins(
          unspent(w.index, (r) => r.kind === "coin"),
          units + transferFee,
        )
        if (coins === undefined) {
          return yield* Effect.fail(
            failed(
              `insufficient funds: ${formatQuil(units)} QUIL plus a fee of ${formatQuil(transferFee)} QUIL; coins hold ${formatQuil(balancesOf(w.index).coins)} QUIL`,
            ),
          )
        }
        const head = w.head ?? 0n
        const op = yield* fromBuild(
          tokenBuilders.transfer.build(
            {
              keys: w.keys,
              inputs: coins.map(heldCoin),
              to,
              ...(refund === undefined ? {} : { refund }),
              amount: units,
              expiration: Option.getOrElse(Option.map(expiration, BigInt), () => head + EXPIRATION_FRAMES),
              fee: transferFee,
              entropy: entropy(),
              frameNumber: head,
            },
            env.build,
          ),
        )
        const created = Either.getOrUndefined(createdPendings(op, env.build.crypto))?.[0]
        yield* submit(env, op)
        yield* printLines([
          "Pending transfer sent successfully",
          ...(created === undefined ? [] : [`Pending: 0x${bytesToHex(atomId(QUIL_TOKEN_ADDRESS, created.address))}`]),
        ])
      }),
  ).pipe(Command.withDescription("Send QUIL as a pending transfer (refund: yourself unless given); change returns as a pending to yourself."))

/** Index entries for the named pendings, each one this wallet may spend as `allowed` says. */
const namedPendings = (w: OpenWallet, ids: ReadonlyArray<string>, allowed: (r: IndexedRecord) => boolean, what: string) =>
  Effect.forEach(ids, (text) => {
    const id = (text.startsWith("0x") ? text.slice(2) : text).toLowerCase()
    if (!/^[0-9a-f]{128}$/.test(id)) return Effect.fail(usage(`a pending transfer is a 64-byte id (hex): ${text}`))
    const found = w.index.records.find((r) => r.record.id === id)
    if (found === undefined || found.kind !== "pending") return Effect.fail(failed(`0x${id} is not a pending transfer in this wallet`))
    if (found.record.spent) return Effect.fail(failed(`0x${id} is already spent`))
    return allowed(found) ? Effect.succeed(found) : Effect.fail(failed(`0x${id} cannot be ${what} by this wallet`))
  })

/** Spends the pendings into one coin to this wallet; answers that coin's id and value. */
const spendPendings = (env: CliEnv, w: OpenWallet, inputs: ReadonlyArray<IndexedRecord>) =>
  Effect.gen(function* () {
    const spendFee = yield* fee(env, transactionCostOf(1))
    const op = yield* fromBuild(
      tokenBuilders.accept.build(
        {
          keys: w.keys,
          inputs: inputs.slice(0, MAX_INPUTS).map(heldPending),
          fee: spendFee,
          entropy: entropy(),
          frameNumber: w.head ?? 0n,
        },
        env.build,
      ),
    )
    const coin = Either.getOrUndefined(createdCoins(op, env.build.crypto))?.[0]
    yield* submit(env, op)
    const value = inputs.slice(0, MAX_INPUTS).reduce((t, r) => t + BigInt(r.value), 0n) - spendFee
    return { id: coin === undefined ? undefined : bytesToHex(atomId(QUIL_TOKEN_ADDRESS, coin.address)), value }
  })

const pendingIds = Args.text({ name: "PendingTransaction" }).pipe(Args.repeated)

const acceptCommand = (env: CliEnv) =>
  Command.make("accept", { pendings: pendingIds }, ({ pendings }) =>
    Effect.gen(function* () {
      const w = yield* openWallet(env)
      const inputs = pendings.length === 0 ? unspent(w.index, isIncoming) : yield* namedPendings(w, pendings, isIncoming, "accepted")
      if (inputs.length === 0) return yield* Console.log("No pending transfers to accept")
      yield* spendPendings(env, w, inputs)
      yield* Console.log("Accept transaction sent successfully")
    }),
  ).pipe(Command.withDescription("Accept pending transfers sent to this wallet (all of them by default) into one coin."))

const rejectCommand = (env: CliEnv) =>
  Command.make("reject", { pending: Args.text({ name: "PendingTransaction" }) }, ({ pending }) =>
    Effect.gen(function* () {
      const w = yield* openWallet(env)
      const inputs = yield* namedPendings(w, [pending], isIncoming, "rejected")
      yield* spendPendings(env, w, inputs)
      yield* Console.log("Reject transaction sent successfully")
    }),
  ).pipe(Command.withDescription("The reference's reject: accept the pending to this wallet's own keys (D-TOKEN-4)."))

const reclaimCommand = (env: CliEnv) =>
  Command.make("reclaim", {}, () =>
    Effect.gen(function* () {
      const w = yield* openWallet(env)
      const inputs = unspent(w.index, (r) => isReclaimable(r, w.head))
      if (inputs.length === 0) return yield* Console.log("No expired pending transfers to reclaim")
      yield* spendPendings(env, w, inputs)
      const total = inputs.slice(0, MAX_INPUTS).reduce((s, r) => s + BigInt(r.value), 0n)
      yield* Console.log(`Reclaim transaction sent successfully (${Math.min(inputs.length, MAX_INPUTS)} pending, ${formatQuil(total)} QUIL)`)
    }),
  ).pipe(Command.withDescription("Reclaim this wallet's expired outgoing pending transfers (head frame ≥ expiration) into one coin."))

/**
 * The first step of QUIL's two-step split and merge (spec §11.5): the coins as one pending to oneself
 * (their total less the fee, so no change), committed; answers that pending for the second step.
 */
const pendingToSelf = (env: CliEnv, w: OpenWallet, coins: ReadonlyArray<IndexedRecord>) =>
  Effect.gen(function* () {
    const total = coins.reduce((s, c) => s + BigInt(c.value), 0n)
    const stepFee = yield* fee(env, pendingCostOf(1))
    if (total <= stepFee) return yield* Effect.fail(failed(`the coins hold ${formatQuil(total)} QUIL, not more than the fee of ${formatQuil(stepFee)} QUIL`))
    const head = w.head ?? 0n
    const op = yield* fromBuild(
      tokenBuilders.transfer.build(
        {
          keys: w.keys,
          inputs: coins.map(heldCoin),
          to: accountOf(w.keys),
          amount: total - stepFee,
          expiration: head + EXPIRATION_FRAMES,
          fee: stepFee,
          entropy: entropy(),
          frameNumber: head,
        },
        env.build,
      ),
    )
    const pending = Either.getOrUndefined(createdPendings(op, env.build.crypto))?.[0]
    if (pending === undefined) return yield* Effect.fail(failed("the pending to oneself could not be addressed"))
    yield* submit(env, op)
    return { pending, value: total - stepFee }
  })

/** The named unspent coins of this wallet. */
const namedCoins = (w: OpenWallet, ids: ReadonlyArray<string>) =>
  Effect.forEach(ids, (text) => {
    const id = (text.startsWith("0x") ? text.slice(2) : text).toLowerCase()
    if (!/^[0-9a-f]{128}$/.test(id)) return Effect.fail(usage(`a coin is a 64-byte id (hex): ${text}`))
    const found = w.index.records.find((r) => r.record.id === id && r.kind === "coin")
    if (found === undefined) return Effect.fail(failed(`0x${id} is not a coin of this wallet`))
    return found.record.spent ? Effect.fail(failed(`0x${id} is already spent`)) : Effect.succeed(found)
  })

/** `total` in `n` equal parts, the remainder of the division on the last (`split -p`). */
export const equalParts = (total: bigint, n: number): Array<bigint> => {
  const part = total / BigInt(n)
  return Array.from({ length: n }, (_, i) => (i === n - 1 ? part + (total % BigInt(n)) : part))
}

const partsOption = Options.integer("parts").pipe(
  Options.withAlias("p"),
  Options.optional,
  Options.withDescription("Split into this many equal coins (2 to 100; the remainder of the division goes to the last)."),
)

const splitCommand = (env: CliEnv) =>
  Command.make(
    "split",
    { coin: Args.text({ name: "OfCoin" }), amounts: Args.text({ name: "Amounts" }).pipe(Args.repeated), parts: partsOption },
    ({ coin, amounts, parts: partCount }) =>
      Effect.gen(function* () {
        const count = Option.getOrUndefined(partCount)
        if ((count === undefined) === (amounts.length === 0)) return yield* Effect.fail(usage("give the amounts or -p <parts>, not both"))
        if (count !== undefined && (count < 2 || count > MAX_OUTPUTS)) return yield* Effect.fail(usage(`-p takes 2 to ${MAX_OUTPUTS} parts`))
        const given = yield* Effect.forEach(amounts, amountArg)
        if (given.length > MAX_OUTPUTS - 1) return yield* Effect.fail(usage(`at most ${MAX_OUTPUTS - 1} amounts (the remainder takes the last output)`))
        const w = yield* openWallet(env)
        const [held] = yield* namedCoins(w, [coin])
        if (held === undefined) return yield* Effect.fail(usage("name one coin"))
        // Two fees: one per step; the second is priced for the outputs it will have (the parts, plus the
        // remainder's coin when amounts are given).
        const stepFee = yield* fee(env, pendingCostOf(1))
        const splitFee = yield* fee(env, transactionCostOf(count ?? given.length + 1))
        const value = BigInt(held.value)
        if (count !== undefined && value - stepFee - splitFee < BigInt(count)) {
          return yield* Effect.fail(failed(`the coin holds ${formatQuil(value)} QUIL: not enough for ${count} parts after the fees`))
        }
        const units = count === undefined ? given : equalParts(value - stepFee - splitFee, count)
        const parts = units.reduce((s, u) => s + u, 0n)
        if (parts + stepFee + splitFee > value) {
          return yield* Effect.fail(
            failed(`the coin holds ${formatQuil(value)} QUIL: the parts plus the fees of ${formatQuil(stepFee + splitFee)} QUIL do not fit`),
          )
        }
        const step = yield* pendingToSelf(env, w, [held])
        const self = accountOf(w.keys)
        const op = yield* fromBuild(
          tokenBuilders.spendPending.build(
            {
              keys: w.keys,
              inputs: [step.pending],
              outputs: units.map((v) => ({ to: self, value: v })),
              fee: splitFee,
              entropy: entropy(),
              frameNumber: w.head ?? 0n,
            },
            env.build,
          ),
        )
        yield* submit(env, op)
        yield* Console.log(`Split transaction sent successfully (${units.length + (step.value - splitFee > parts ? 1 : 0)} outputs)`)
      }),
  ).pipe(
    Command.withDescription(
      "Split a coin into coins of the given QUIL amounts, or into -p equal parts (two steps; what the amounts leave, less two fees, returns as one more coin).",
    ),
  )

const mergeCommand = (env: CliEnv) =>
  Command.make("merge", { coins: Args.text({ name: "all|CoinAddr" }).pipe(Args.atLeast(1)) }, ({ coins }) =>
    Effect.gen(function* () {
      const w = yield* openWallet(env)
      const all = coins.length === 1 && coins[0] === "all"
      const picked = all ? unspent(w.index, (r) => r.kind === "coin").slice(0, MAX_INPUTS) : yield* namedCoins(w, coins)
      if (picked.length < 2) return yield* Effect.fail(failed(`merge needs at least two coins; this wallet names ${picked.length}`))
      const total = picked.reduce((s, c) => s + BigInt(c.value), 0n)
      yield* Console.log(`Merging ${picked.length} coins (total: ${formatQuil(total)} QUIL)`)
      const step = yield* pendingToSelf(env, w, picked)
      const op = yield* fromBuild(
        tokenBuilders.merge.build(
          { keys: w.keys, inputs: [step.pending], fee: yield* fee(env, transactionCostOf(1)), entropy: entropy(), frameNumber: w.head ?? 0n },
          env.build,
        ),
      )
      yield* submit(env, op)
      yield* Console.log("Merge transaction sent successfully")
    }),
  ).pipe(Command.withDescription("Merge coins (all, or the named ones) into one coin (two steps, a fee each)."))

/** A mutual transfer's default expiration: head + 100 frames; the sender waits that long for the accept. */
const MUTUAL_EXPIRATION_FRAMES = 100n
const POLL = "1 second"

const timeoutOption = Options.integer("timeout").pipe(
  Options.withDefault(600),
  Options.withDescription("Seconds to wait for the transfer before giving up (exit 1)."),
)

const mutualReceiveCommand = (env: CliEnv) =>
  Command.make("mutual-receive", { amount: Args.text({ name: "ExpectedAmount" }), timeout: timeoutOption }, ({ amount, timeout }) =>
    Effect.gen(function* () {
      const units = yield* amountArg(amount)
      const first = yield* openWallet(env)
      const rv: Rendezvous = { account: accountOf(first.keys), amount: units, nonce: new Uint8Array(randomBytes(16)) }
      yield* Console.log(`Rendezvous: ${encodeRendezvous(rv)}`)
      const deadline = (yield* Clock.currentTimeMillis) + timeout * 1000
      const reported = new Set<string>()
      for (;;) {
        const w = yield* openWallet(env)
        const found = matchMutual(rv, w.index.records)
        if (found._tag === "Match") {
          const coin = yield* spendPendings(env, w, [found.pending])
          return yield* Console.log(`Mutual transfer received: ${formatQuil(coin.value)} QUIL (Coin 0x${coin.id ?? "?"})`)
        }
        // Another amount is never accepted: said once, then the wait goes on (its sender reclaims it after expiration).
        if (found._tag === "WrongAmount" && !reported.has(found.pending.record.id)) {
          reported.add(found.pending.record.id)
          yield* Console.log(
            `Mutual transfer not accepted: ${formatQuil(found.amount)} QUIL, expected ${formatQuil(units)} QUIL (Pending 0x${found.pending.record.id})`,
          )
        }
        if ((yield* Clock.currentTimeMillis) >= deadline)
          return yield* Effect.fail(failed(`no mutual transfer of ${formatQuil(units)} QUIL arrived within ${timeout} s`))
        yield* Effect.sleep(POLL)
      }
    }),
  ).pipe(Command.withDescription("Print a rendezvous for the expected QUIL amount and accept the matching transfer as soon as it is committed (D-TOKEN-16)."))

const mutualTransferCommand = (env: CliEnv) =>
  Command.make(
    "mutual-transfer",
    { rendezvous: Args.text({ name: "Rendezvous" }), what: Args.text({ name: "Amount|OfCoin" }), expiration: expirationOption },
    ({ rendezvous, what, expiration }) =>
      Effect.gen(function* () {
        const decoded = decodeRendezvous(rendezvous)
        if (Either.isLeft(decoded)) return yield* Effect.fail(failed(decoded.left))
        const rv = decoded.right
        const ofCoin = /^(0x)?[0-9a-fA-F]{128}$/.test(what)
        const units = ofCoin ? undefined : yield* amountArg(what)
        const w = yield* openWallet(env)
        let coins: ReadonlyArray<IndexedRecord>
        let amount: bigint
        let transferFee: bigint
        if (units === undefined) {
          // The whole coin, less the fee: one output, no change.
          coins = yield* namedCoins(w, [what])
          transferFee = yield* fee(env, pendingCostOf(1))
          amount = coins.reduce((t, c) => t + BigInt(c.value), 0n) - transferFee
        } else {
          transferFee = yield* fee(env, pendingCostOf(2))
          amount = units
          const picked = pickCoins(
            unspent(w.index, (r) => r.kind === "coin"),
            units + transferFee,
          )
          if (picked === undefined)
            return yield* Effect.fail(failed(`insufficient funds: ${formatQuil(units)} QUIL plus a fee of ${formatQuil(transferFee)} QUIL`))
          coins = picked
        }
        if (amount !== rv.amount)
          return yield* Effect.fail(failed(`the receiver expects ${formatQuil(rv.amount)} QUIL; this transfer would send ${formatQuil(amount)} QUIL`))
        const head = w.head ?? 0n
        const expires = Option.getOrElse(Option.map(expiration, BigInt), () => head + MUTUAL_EXPIRATION_FRAMES)
        const op = yield* fromBuild(
          tokenBuilders.transfer.build(
            {
              keys: w.keys,
              inputs: coins.map(heldCoin),
              to: rv.account,
              amount,
              expiration: expires,
              fee: transferFee,
              entropy: entropy(),
              frameNumber: head,
              toEphemeral: mutualEphemeral(rv),
            },
            env.build,
          ),
        )
        const created = Either.getOrUndefined(createdPendings(op, env.build.crypto))?.[0]
        if (created === undefined) return yield* Effect.fail(failed("the transfer could not be addressed"))
        const id = bytesToHex(atomId(QUIL_TOKEN_ADDRESS, created.address))
        yield* submit(env, op)
        // Done when the receiver's accept spends the pending; at expiration the sender may reclaim instead.
        for (;;) {
          const now = yield* openWallet(env)
          if (now.index.records.find((r) => r.record.id === id)?.record.spent === true) return yield* Console.log("Mutual transfer sent successfully")
          if (now.head !== undefined && now.head >= expires)
            return yield* Effect.fail(failed(`the receiver did not accept Pending 0x${id} before frame ${expires}; \`token reclaim\` returns it`))
          yield* Effect.sleep(POLL)
        }
      }),
  ).pipe(Command.withDescription("Send the amount a rendezvous expects (or a whole coin) and wait until the receiver accepts it (D-TOKEN-16)."))

const rescanCommand = (env: CliEnv) =>
  Command.make("rescan", {}, () =>
    Effect.flatMap(openWallet(env, true), (w) =>
      Console.log(`Rescanned to frame ${w.index.scannedTo ?? "none"}: ${w.index.records.length} records of this wallet`),
    ),
  ).pipe(Command.withDescription("Rebuild the wallet index from frame 0."))

export const tokenCli: CliContribution = (env) => ({
  description: "The QUIL wallet: keys and index in the wallet directory, balances and transfers.",
  members: [
    eraseCliCommand(accountCommand(env)),
    eraseCliCommand(balanceCommand(env)),
    eraseCliCommand(coinsCommand(env)),
    eraseCliCommand(faucetCommand(env)),
    eraseCliCommand(transferCommand(env)),
    eraseCliCommand(acceptCommand(env)),
    eraseCliCommand(rejectCommand(env)),
    eraseCliCommand(reclaimCommand(env)),
    eraseCliCommand(splitCommand(env)),
    eraseCliCommand(mergeCommand(env)),
    eraseCliCommand(mutualReceiveCommand(env)),
    eraseCliCommand(mutualTransferCommand(env)),
    eraseCliCommand(rescanCommand(env)),
  ],
})
