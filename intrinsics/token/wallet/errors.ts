// The wallet's one typed failure: the CLI turns it into IntrinsicCliFailure (exit 1).
import * as Data from "effect/Data"

export class WalletError extends Data.TaggedError("WalletError")<{ readonly reason: string }> {}
