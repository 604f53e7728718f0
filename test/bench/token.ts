// `bun run bench token [transfers] [rounds]`: transparent QUIL transfers (PendingTransaction: one coin
// in, the payee's pending and the change pending out, a Schnorr spend signature, fee paid) validated,
// applied and committed by one worker's execution host — the real actor with the built-in intrinsics,
// the native KZG/Poseidon crypto and the hypergraph committer over LMDB, one ApplyFrame of `transfers`
// bundles per round — against verifying the same operations' spend signatures alone (decode, challenge,
// Schnorr verify), the floor, in the same run. Coins come from an untimed devnet-faucet frame before
// each round; bundles are built ahead (clients build them).
// Line: `token.transfer ops/s=<n> baseline=<n> ratio=<r>`. Target (issue #17): ≥ 2,000 transfers/s per
// worker core, ratio ≥ 0.5.
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { sha256 } from "@noble/hashes/sha2.js"
import { Effect, Either, Layer } from "effect"
import { decodeBundle, encodeBundle } from "../../actors/execution/bundle.ts"
import { ApplyFrame, Execution, ExecutionLive } from "../../actors/execution/index.ts"
import { createdCoins, type HeldCoin, tokenBuilders } from "../../intrinsics/token/builders.ts"
import { pendingChallenge } from "../../intrinsics/token/challenge.ts"
import { QUIL_TOKEN_ADDRESS, QUIL_UNITS } from "../../intrinsics/token/constants.ts"
import { hashToScalar } from "../../intrinsics/token/decaf.ts"
import { decodePendingTransaction } from "../../intrinsics/token/ops/pending-transaction.ts"
import { verifySpend } from "../../intrinsics/token/schnorr.ts"
import { accountOf, type WalletKeys } from "../../intrinsics/token/stealth.ts"
import { ActorSystem } from "../../runtime/kernel/index.ts"
import { builtInIntrinsics, nodeBuildEnv, nodeCryptoServices } from "../../runtime/node/intrinsics.ts"
import { StoreLive } from "../../runtime/store/index.ts"
import { reportRatio } from "./report.ts"

const FEE = 8_000_000n
const utf8 = (s: string) => new TextEncoder().encode(s)
const walletOf = (name: string): WalletKeys => ({ viewSecret: hashToScalar(utf8(`${name}/view`)), spendSecret: hashToScalar(utf8(`${name}/spend`)) })
const build = <A>(builder: { build: (a: A, e: typeof nodeBuildEnv) => Effect.Effect<Uint8Array, unknown> }, args: A): Uint8Array =>
  Effect.runSync(builder.build(args, nodeBuildEnv))
/** What the shard host hands the execution host for a one-operation bundle: QUIL's domain ‖ the MessageBundle. */
const routed = (op: Uint8Array): Uint8Array => encodeBundle({ domain: QUIL_TOKEN_ADDRESS, requests: [op], timestamp: 1n })

/** The floor: each transfer's spend signatures checked, nothing else. */
const verifyOnly = (bundles: ReadonlyArray<Uint8Array>): void => {
  for (const b of bundles) {
    const decoded = Either.getOrThrow(decodeBundle(b))
    for (const request of decoded.requests) {
      const tx = decodePendingTransaction(request)
      if (Either.isLeft(tx)) continue
      const challenge = pendingChallenge(tx.right.domain, tx.right.outputs)
      for (const input of tx.right.inputs) if (!verifySpend(input.signature, challenge)) throw new Error("a bench signature does not verify")
    }
  }
}

export const run = async (args: ReadonlyArray<string>): Promise<void> => {
  const transfers = Number(args[0] ?? 200)
  const rounds = Number(args[1] ?? 3)
  const dir = mkdtempSync(join(tmpdir(), "quilbun-bench-token-"))
  const alice = walletOf("bench-alice")
  const bob = accountOf(walletOf("bench-bob"))
  const entropy = (round: number, i: number, kind: number) => sha256(Uint8Array.of(kind, round, i >> 8, i & 0xff))
  try {
    const layer = ExecutionLive(builtInIntrinsics, { crypto: nodeCryptoServices, network: 99, feeMultiplier: () => 1n }).pipe(
      Layer.provideMerge(Layer.merge(ActorSystem.layer(), StoreLive({ path: join(dir, "store") }))),
    )
    const timings = await Effect.runPromise(
      Effect.scoped(
        Effect.gen(function* () {
          const host = yield* Execution
          let frame = 0n
          let hostMs = 0
          let floorMs = 0
          for (let round = 0; round < rounds; round++) {
            // Untimed: one coin per transfer from the devnet faucet.
            const faucets = Array.from({ length: transfers }, (_, i) =>
              build(tokenBuilders.faucet, { to: accountOf(alice), values: [10n * QUIL_UNITS], entropy: entropy(round, i, 1) }),
            )
            frame += 1n
            const funded = yield* host.ask(new ApplyFrame({ frameNumber: frame, bundles: faucets.map(routed) }))
            if (funded.applied.some((r) => r._tag !== "Applied")) throw new Error(`faucet frame failed: ${JSON.stringify(funded.applied[0])}`)
            const coins = faucets.map((f) => (Either.getOrThrow(createdCoins(f, nodeBuildEnv.crypto)) as Array<HeldCoin>)[0] as HeldCoin)
            const sends = coins.map((coin, i) =>
              build(tokenBuilders.transfer, {
                keys: alice,
                inputs: [coin],
                to: bob,
                amount: 3n * QUIL_UNITS,
                expiration: 1_000_000n,
                fee: FEE,
                entropy: entropy(round, i, 2),
                frameNumber: frame,
              }),
            )
            let t = performance.now()
            verifyOnly(sends.map(routed))
            floorMs += performance.now() - t
            frame += 1n
            t = performance.now()
            const applied = yield* host.ask(new ApplyFrame({ frameNumber: frame, bundles: sends.map(routed) }))
            hostMs += performance.now() - t
            const failed = applied.applied.filter((r) => r._tag !== "Applied")
            if (failed.length > 0) throw new Error(`${failed.length} transfers failed: ${JSON.stringify(failed[0])}`)
          }
          return { hostMs, floorMs }
        }),
      ).pipe(Effect.provide(layer)),
    )
    const total = transfers * rounds
    reportRatio("token.transfer", "ops/s", total / (timings.hostMs / 1000), total / (timings.floorMs / 1000))
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
