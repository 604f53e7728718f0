// The token intrinsic (spec §2, §11.4): QUIL with transparent amounts, on the contract like every
// built-in. A function of Poseidon only because queries get no crypto from the host (QueryCtx);
// operations use ExecCtx.crypto as every intrinsic does.
import type { CryptoServices, Intrinsic } from "../contract/index.ts"
import { tokenBuilders } from "./builders.ts"
import { tokenCli } from "./cli.ts"
import { tokenManifest } from "./manifest.ts"
import { devnetFaucet } from "./ops/devnet-faucet.ts"
import { pendingTransaction } from "./ops/pending-transaction.ts"
import { transaction } from "./ops/transaction.ts"
import { makeTokenQueries } from "./queries.ts"

export const makeTokenIntrinsic = (poseidon: CryptoServices["poseidon"]): Intrinsic<typeof tokenBuilders> => ({
  manifest: tokenManifest,
  operations: [transaction, pendingTransaction, devnetFaucet],
  queries: makeTokenQueries(poseidon),
  builders: tokenBuilders,
  cli: tokenCli,
})
