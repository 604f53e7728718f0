// Client builders (spec §11.1): turn a wallet's intent into canonical token operations. Shared by the
// tests (and the CLI of spec §11.5 later). Deterministic for given arguments: ephemeral scalars come
// from the caller's `entropy` (the CLI passes fresh random bytes), nonces from the signing secret.
//
// The QUIL flows (spec §2.6.3, §11.5): `transfer` sends coins as pending transfers (change back as a
// pending to oneself); `accept` spends a pending with the *to* secret, `reclaim` with the *refund*
// secret after expiration, `reject` is accept-to-oneself (D-TOKEN-4); `split` and `merge` are the second
// step of the two-step QUIL forms (a pending to oneself first, then n outputs / one output).
import { concatBytes } from "@noble/hashes/utils.js"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import { type Builder, type BuildEnv, BuildError, type CryptoServices } from "../contract/index.ts"
import { type PendingOutput, pendingChallenge, transactionChallenge } from "./challenge.ts"
import { type Coin, coinAddress } from "./coin.ts"
import { AMOUNT_LIMIT, QUIL_TOKEN_ADDRESS } from "./constants.ts"
import { commitValue, hashToScalar } from "./decaf.ts"
import type { CoinOutput } from "./ops/codec.ts"
import { decodeDevnetFaucet, devnetFaucet } from "./ops/devnet-faucet.ts"
import { decodePendingTransaction, outputPending, type PendingTransaction, pendingTransaction } from "./ops/pending-transaction.ts"
import { decodeTransaction, outputCoin, type Transaction, transaction } from "./ops/transaction.ts"
import { type Pending, pendingAddress } from "./pending.ts"
import { signSpend } from "./schnorr.ts"
import { type Account, accountOf, recipientOutput, recoverOutput, type RecipientOutput, type WalletKeys } from "./stealth.ts"

const fail = (reason: string) => Effect.fail(new BuildError({ reason }))
const EPHEMERAL_TAG = new TextEncoder().encode("quilbun-token-ephemeral")

/** The i-th ephemeral scalar of a build: `HashToScalar(tag ‖ entropy ‖ u32 i)`. */
const ephemeral = (entropy: Uint8Array, i: number): bigint =>
  hashToScalar(concatBytes(EPHEMERAL_TAG, entropy, Uint8Array.of(i >>> 24, (i >>> 16) & 0xff, (i >>> 8) & 0xff, i & 0xff)))

const fromOutput = (out: RecipientOutput | undefined, i: number): Effect.Effect<RecipientOutput, BuildError> =>
  out === undefined ? fail(`output ${i}: the account's keys are not Decaf448 points`) : Effect.succeed(out)

const recipient = (account: Account, entropy: Uint8Array, i: number, value: bigint): Effect.Effect<RecipientOutput, BuildError> =>
  fromOutput(recipientOutput(account, ephemeral(entropy, i), value), i)

const checkAmount = (what: string, n: bigint) => (n >= 0n && n < AMOUNT_LIMIT ? Effect.void : fail(`${what} ${n} is not in [0, 2^128)`))

/** One fee entry per output; the whole fee on the first (zero entries are not queued, spec §6.3). */
const feeList = (fee: bigint, outputs: number): Array<bigint> => Array.from({ length: outputs }, (_, i) => (i === 0 ? fee : 0n))

const sum = (xs: ReadonlyArray<bigint>): bigint => xs.reduce((a, b) => a + b, 0n)

/** A coin the wallet holds, with its data address (as the scanner or a query reports it). */
export interface HeldCoin {
  readonly address: Uint8Array
  readonly coin: Coin
}

export interface HeldPending {
  readonly address: Uint8Array
  readonly pending: Pending
}

/** The frame outputs are built against: the caller's, else the env's (spends need `frame > it`). */
const frameOf = (frameNumber: bigint | undefined, env: BuildEnv): bigint => frameNumber ?? env.frameNumber

interface FaucetArgs {
  readonly to: Account
  readonly values: ReadonlyArray<bigint>
  readonly entropy: Uint8Array
  readonly frameNumber?: bigint
}

const coinOutputs = (outs: ReadonlyArray<{ readonly to: Account; readonly value: bigint }>, entropy: Uint8Array, frameNumber: bigint) =>
  Effect.forEach(outs, (o, i) =>
    Effect.gen(function* () {
      yield* checkAmount(`output ${i} value`, o.value)
      const r = yield* recipient(o.to, entropy, i, o.value)
      const out: CoinOutput = { frameNumber, value: o.value, commitment: commitValue(o.value), recipient: r }
      return out
    }),
  )

const buildFaucet: Builder<FaucetArgs> = {
  description: "Devnet coins for an account (refused on mainnet)",
  build: (args, env) =>
    Effect.map(
      coinOutputs(
        args.values.map((value) => ({ to: args.to, value })),
        args.entropy,
        frameOf(args.frameNumber, env),
      ),
      (outputs) => devnetFaucet.encode({ domain: QUIL_TOKEN_ADDRESS, outputs }),
    ),
}

interface TransferArgs {
  /** The sender's wallet: it signs the inputs and receives change and refunds. */
  readonly keys: WalletKeys
  readonly inputs: ReadonlyArray<HeldCoin>
  readonly to: Account
  readonly amount: bigint
  /** Who may reclaim after expiration (default: the sender). */
  readonly refund?: Account
  readonly expiration: bigint
  readonly fee: bigint
  readonly entropy: Uint8Array
  readonly frameNumber?: bigint
  /** The transfer's *to* ephemeral scalar, when the recipient must recognise it (a mutual transfer's rendezvous, D-TOKEN-16). */
  readonly toEphemeral?: bigint
}

/** Spend secret and value of a held coin, or a BuildError when the wallet does not own it. */
const openCoin = (keys: WalletKeys, held: HeldCoin, i: number) => {
  const owned = recoverOutput(keys, held.coin)
  return owned === undefined ? fail(`input ${i}: the coin is not this wallet's`) : Effect.succeed(owned)
}

const buildTransfer: Builder<TransferArgs> = {
  description: "Send coins as a pending transfer (to, refund, expiration); change returns as a pending to oneself",
  build: (args, env) =>
    Effect.gen(function* () {
      const self = accountOf(args.keys)
      const owned = yield* Effect.forEach(args.inputs, (h, i) => openCoin(args.keys, h, i))
      const total = sum(owned.map((o) => o.value))
      yield* checkAmount("the fee", args.fee)
      const change = total - args.amount - args.fee
      if (args.amount < 0n || change < 0n) return yield* fail(`inputs hold ${total}; ${args.amount} plus a fee of ${args.fee} do not fit`)
      const frameNumber = frameOf(args.frameNumber, env)
      const wanted = [{ to: args.to, refund: args.refund ?? self, value: args.amount }, ...(change > 0n ? [{ to: self, refund: self, value: change }] : [])]
      const outputs: Array<PendingOutput> = []
      for (const [i, w] of wanted.entries()) {
        const to =
          i === 0 && args.toEphemeral !== undefined
            ? yield* fromOutput(recipientOutput(w.to, args.toEphemeral, w.value), i)
            : yield* recipient(w.to, args.entropy, 2 * i, w.value)
        const refund = yield* recipient(w.refund, args.entropy, 2 * i + 1, w.value)
        outputs.push({ frameNumber, value: w.value, commitment: commitValue(w.value), to, refund, expiration: args.expiration })
      }
      const challenge = pendingChallenge(QUIL_TOKEN_ADDRESS, outputs)
      const tx: PendingTransaction = {
        domain: QUIL_TOKEN_ADDRESS,
        inputs: args.inputs.map((h, i) => ({
          address: h.address,
          value: owned[i]?.value ?? 0n,
          signature: signSpend(owned[i]?.secret ?? 0n, h.coin.commitment, challenge),
        })),
        outputs,
        fees: feeList(args.fee, outputs.length),
      }
      return pendingTransaction.encode(tx)
    }),
}

export interface SpendPendingArgs {
  readonly keys: WalletKeys
  readonly inputs: ReadonlyArray<HeldPending>
  /** Coin outputs; whatever the inputs hold beyond them and the fee returns to the wallet as one more coin. */
  readonly outputs: ReadonlyArray<{ readonly to: Account; readonly value: bigint }>
  readonly fee: bigint
  readonly entropy: Uint8Array
  readonly frameNumber?: bigint
}

/** The wallet's side of a pending: to (accept) or refund (reclaim), with its secret and value. */
const openPending = (keys: WalletKeys, held: HeldPending, i: number) => {
  const to = recoverOutput(keys, held.pending.to)
  if (to !== undefined) return Effect.succeed({ ...to, own: held.pending.to.verificationKey, other: held.pending.refund.verificationKey })
  const refund = recoverOutput(keys, held.pending.refund)
  if (refund !== undefined) return Effect.succeed({ ...refund, own: held.pending.refund.verificationKey, other: held.pending.to.verificationKey })
  return fail(`input ${i}: the pending transaction is not this wallet's on either side`)
}

const buildSpendPending: Builder<SpendPendingArgs> = {
  description: "Spend pending transfers into coins (accept with the to key; reclaim with the refund key after expiration)",
  build: (args, env) =>
    Effect.gen(function* () {
      const self = accountOf(args.keys)
      const opened = yield* Effect.forEach(args.inputs, (h, i) => openPending(args.keys, h, i))
      const total = sum(opened.map((o) => o.value))
      yield* checkAmount("the fee", args.fee)
      const change = total - sum(args.outputs.map((o) => o.value)) - args.fee
      if (change < 0n) return yield* fail(`inputs hold ${total}; the outputs plus a fee of ${args.fee} do not fit`)
      const wanted = [...args.outputs, ...(change > 0n || args.outputs.length === 0 ? [{ to: self, value: change }] : [])]
      const outputs = yield* coinOutputs(wanted, args.entropy, frameOf(args.frameNumber, env))
      const challenge = transactionChallenge(QUIL_TOKEN_ADDRESS, outputs)
      const tx: Transaction = {
        domain: QUIL_TOKEN_ADDRESS,
        inputs: args.inputs.map((h, i) => ({
          address: h.address,
          value: opened[i]?.value ?? 0n,
          signature: signSpend(opened[i]?.secret ?? 0n, h.pending.commitment, challenge),
          otherVerificationKey: opened[i]?.other ?? new Uint8Array(56),
        })),
        outputs,
        fees: feeList(args.fee, outputs.length),
      }
      return transaction.encode(tx)
    }),
}

export type AcceptArgs = Omit<SpendPendingArgs, "outputs"> & { readonly outputs?: SpendPendingArgs["outputs"] }
const withOutputs = (args: AcceptArgs, outputs: SpendPendingArgs["outputs"]): SpendPendingArgs => ({ ...args, outputs })

export interface SplitArgs extends Omit<SpendPendingArgs, "outputs" | "inputs"> {
  readonly input: HeldPending
  readonly amounts: ReadonlyArray<bigint>
}

export const tokenBuilders = {
  faucet: buildFaucet,
  transfer: buildTransfer,
  spendPending: buildSpendPending,
  accept: {
    description: "Accept pending transfers sent to this wallet (default: one coin to oneself)",
    build: (args, env) => buildSpendPending.build(withOutputs(args, args.outputs ?? []), env),
  } satisfies Builder<AcceptArgs>,
  // The reference's reject is an accept to one's own keys (spec §2.6.3, §11.5; D-TOKEN-4).
  reject: {
    description: "Reject a pending transfer: the reference's accept-to-oneself; the sender's refund side stays unspendable",
    build: (args, env) => buildSpendPending.build(withOutputs(args, []), env),
  } satisfies Builder<Omit<SpendPendingArgs, "outputs">>,
  reclaim: {
    description: "Reclaim an expired pending transfer with the refund key (valid from its expiration frame)",
    build: (args, env) => buildSpendPending.build(withOutputs(args, []), env),
  } satisfies Builder<Omit<SpendPendingArgs, "outputs">>,
  split: {
    description: "Split a pending to oneself into coins of the given amounts (second step of a QUIL split)",
    build: (args, env) => {
      const self = accountOf(args.keys)
      return buildSpendPending.build({ ...args, inputs: [args.input], outputs: args.amounts.map((value) => ({ to: self, value })) }, env)
    },
  } satisfies Builder<SplitArgs>,
  merge: {
    description: "Merge pendings to oneself into one coin (second step of a QUIL merge)",
    build: (args, env) => buildSpendPending.build(withOutputs(args, []), env),
  } satisfies Builder<Omit<SpendPendingArgs, "outputs">>,
}

/** The coins a Transaction or faucet operation creates, in output order, with their addresses (what a wallet tracks). */
export const createdCoins = (bytes: Uint8Array, crypto: CryptoServices): Either.Either<Array<HeldCoin>, BuildError> => {
  const tx = decodeTransaction(bytes)
  const outputs = Either.isRight(tx) ? Either.right(tx.right.outputs) : Either.map(decodeDevnetFaucet(bytes), (f) => f.outputs)
  return Either.mapLeft(
    Either.flatMap(outputs, (os) =>
      Either.all(
        os.map((o) => {
          const coin = outputCoin(o)
          return Either.map(coinAddress(coin, QUIL_TOKEN_ADDRESS, crypto), (address) => ({ address, coin }))
        }),
      ),
    ),
    (e) => new BuildError({ reason: e.reason }),
  )
}

/** The pending transfers a PendingTransaction creates, in output order, with their addresses. */
export const createdPendings = (bytes: Uint8Array, crypto: CryptoServices): Either.Either<Array<HeldPending>, BuildError> =>
  Either.mapLeft(
    Either.flatMap(decodePendingTransaction(bytes), (tx) =>
      Either.all(
        tx.outputs.map((o) => {
          const pending = outputPending(o)
          return Either.map(pendingAddress(pending, QUIL_TOKEN_ADDRESS, crypto), (address) => ({ address, pending }))
        }),
      ),
    ),
    (e) => new BuildError({ reason: e.reason }),
  )
