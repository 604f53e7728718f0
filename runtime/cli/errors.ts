// How a CLI command fails, and so which exit status the process ends with (see exit.ts):
// UsageError -> 2 (bad arguments; the usage line is printed), CommandFailed -> 1 (the command
// could not do its work), NegativeAnswer -> 1 (the command answered "no", e.g. `invalid`).
import * as Data from "effect/Data"

export class UsageError extends Data.TaggedError("UsageError")<{ readonly reason: string }> {}

export class CommandFailed extends Data.TaggedError("CommandFailed")<{ readonly reason: string }> {}

/** The answer was printed already; only the exit status is left to say. */
export class NegativeAnswer extends Data.TaggedError("NegativeAnswer")<{}> {}

export type CliError = UsageError | CommandFailed | NegativeAnswer
