// Parses the worker's command line (see protocol.ts workerArgv); the master is the only caller,
// so a bad argument is a programming error and the worker exits 2.
import { Either, Schema } from "effect"
import { LogFormat, LogLevelName } from "../logging.ts"
import type { WorkerArgs } from "./protocol.ts"

const Args = Schema.Struct({
  core: Schema.NumberFromString.pipe(Schema.int(), Schema.positive()),
  dataDir: Schema.NonEmptyString,
  logFormat: LogFormat,
  logLevel: LogLevelName,
  networkId: Schema.NumberFromString.pipe(Schema.int(), Schema.nonNegative()),
  plugins: Schema.Array(Schema.NonEmptyString),
})

const flagKeys: Record<string, keyof typeof Args.Type> = {
  "--core": "core",
  "--data-dir": "dataDir",
  "--log-format": "logFormat",
  "--log-level": "logLevel",
  "--network": "networkId",
}

export const parseWorkerArgs = (argv: ReadonlyArray<string>): Either.Either<WorkerArgs, string> => {
  const raw: Record<string, string> = { logFormat: "json", logLevel: "info", networkId: "0" }
  // `--plugin <path>` repeats, one per plugin.
  const plugins: Array<string> = []
  for (let i = 0; i < argv.length; i += 2) {
    const value = argv[i + 1]
    if (argv[i] === "--plugin" && value !== undefined) {
      plugins.push(value)
      continue
    }
    const key = flagKeys[argv[i] ?? ""]
    if (key === undefined || value === undefined) return Either.left(`unexpected argument ${argv[i] ?? ""}`)
    raw[key] = value
  }
  return Schema.decodeUnknownEither(Args)({ ...raw, plugins }).pipe(Either.mapLeft((e) => e.message))
}
