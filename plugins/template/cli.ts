// `bun run cli template put <key> <value>` (waits until committed, prints OK) and `get <key>` (the
// value or (nil)). Every request names the default instance so the node routes it to its shard.
import * as Args from "@effect/cli/Args"
import * as Command from "@effect/cli/Command"
import { bytesToHex } from "@noble/hashes/utils.js"
import * as Clock from "effect/Clock"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import { type CliContribution, encodeMessageBundle, type CliEnv, eraseCliCommand, IntrinsicCliFailure } from "../../intrinsics/contract/index.ts"
import { DEFAULT_DOMAIN, noteOp } from "./template.ts"

const domain = bytesToHex(DEFAULT_DOMAIN)
const utf8 = new TextEncoder()

const GetAnswer = Schema.decodeUnknown(Schema.Struct({ value: Schema.NullOr(Schema.String) }))
const key = Args.text({ name: "key" })

const putCommand = (env: CliEnv) =>
  Command.make("put", { key, value: Args.text({ name: "value" }) }, (a) =>
    Effect.gen(function* () {
      const now = yield* Clock.currentTimeMillis
      const op = noteOp.encode({ domain: DEFAULT_DOMAIN, key: utf8.encode(a.key), value: utf8.encode(a.value) })
      yield* env.api.submitBundle(encodeMessageBundle([op], BigInt(now)))
      yield* Console.log("OK")
    }),
  ).pipe(Command.withDescription("put key value: store a note (waits until committed)"))

const getCommand = (env: CliEnv) =>
  Command.make("get", { key }, (a) =>
    env.api.get("get", { domain, key: a.key }).pipe(
      Effect.flatMap((raw) => Effect.mapError(GetAnswer(raw), () => new IntrinsicCliFailure({ reason: "the node's get answer is malformed", usage: false }))),
      Effect.flatMap((answer) => Console.log(answer.value ?? "(nil)")),
    ),
  ).pipe(Command.withDescription("get key: the note under key, or (nil)"))

export const pluginCli: CliContribution = (env) => ({
  description: "A demo plugin: short notes under keys of one default instance.",
  members: [eraseCliCommand(putCommand(env)), eraseCliCommand(getCommand(env))],
})
