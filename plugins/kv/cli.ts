// `bun run cli kv …` with redis-cli habits: set → OK, get → the value or (nil), incrby → (integer) n,
// del → (integer) 1|0, scan → one key per line. Writes wait until committed; every query names the
// default instance's domain so the node routes it to the worker covering that shard.
import * as Args from "@effect/cli/Args"
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import { bytesToHex } from "@noble/hashes/utils.js"
import * as Clock from "effect/Clock"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import { type CliContribution, encodeMessageBundle, type CliEnv, eraseCliCommand, IntrinsicCliFailure } from "../../intrinsics/contract/index.ts"
import { KV_DEFAULT_DOMAIN, type KvOp, kvDel, kvExpire, kvIncrBy, kvSet } from "./kv.ts"

const failed = (reason: string) => new IntrinsicCliFailure({ reason, usage: false })
const usage = (reason: string) => new IntrinsicCliFailure({ reason, usage: true })
const domain = bytesToHex(KV_DEFAULT_DOMAIN)
const utf8 = new TextEncoder()

const submit = (env: CliEnv, encode: (op: KvOp) => Uint8Array, key: string, value: string, n: bigint) =>
  Effect.flatMap(Clock.currentTimeMillis, (now) =>
    env.api.submitBundle(encodeMessageBundle([encode({ domain: KV_DEFAULT_DOMAIN, key: utf8.encode(key), value: utf8.encode(value), n })], BigInt(now))),
  )

const GetAnswer = Schema.decodeUnknown(Schema.Struct({ value: Schema.NullOr(Schema.String) }))
const ScanAnswer = Schema.decodeUnknown(Schema.Struct({ keys: Schema.Array(Schema.String) }))

const getValue = (env: CliEnv, key: string) =>
  env.api.get("get", { domain, key }).pipe(
    Effect.flatMap((raw) => Effect.mapError(GetAnswer(raw), () => failed("the node's get answer is malformed"))),
    Effect.map((a) => a.value),
  )

const integer = (text: string, what: string): Effect.Effect<bigint, IntrinsicCliFailure> =>
  /^-?\d{1,19}$/.test(text) ? Effect.succeed(BigInt(text)) : Effect.fail(usage(`${what} must be an integer, got ${JSON.stringify(text)}`))

const key = Args.text({ name: "key" })

const setCommand = (env: CliEnv) =>
  Command.make(
    "set",
    { key, value: Args.text({ name: "value" }), ex: Options.integer("ex").pipe(Options.optional, Options.withDescription("Expire after this many frames.")) },
    (a) =>
      Effect.gen(function* () {
        const ex = Option.getOrElse(a.ex, () => 0)
        if (ex < 0) return yield* Effect.fail(usage("--ex must not be negative"))
        yield* submit(env, kvSet.encode, a.key, a.value, BigInt(ex))
        yield* Console.log("OK")
      }),
  ).pipe(Command.withDescription("SET key value [--ex frames]"))

const getCommand = (env: CliEnv) =>
  Command.make("get", { key }, (a) => Effect.flatMap(getValue(env, a.key), (v) => Console.log(v ?? "(nil)"))).pipe(Command.withDescription("GET key"))

const delCommand = (env: CliEnv) =>
  Command.make("del", { key }, (a) =>
    Effect.gen(function* () {
      // The count is read before the delete: DEL of an absent key commits as a no-op.
      const existed = (yield* getValue(env, a.key)) !== null
      yield* submit(env, kvDel.encode, a.key, "", 0n)
      yield* Console.log(`(integer) ${existed ? 1 : 0}`)
    }),
  ).pipe(Command.withDescription("DEL key"))

const incrbyCommand = (env: CliEnv) =>
  Command.make("incrby", { key, n: Args.text({ name: "n" }) }, (a) =>
    Effect.gen(function* () {
      yield* submit(env, kvIncrBy.encode, a.key, "", yield* integer(a.n, "n"))
      yield* Console.log(`(integer) ${(yield* getValue(env, a.key)) ?? "(nil)"}`)
    }),
  ).pipe(Command.withDescription("INCRBY key n (prints the new value, read after the commit)"))

const expireCommand = (env: CliEnv) =>
  Command.make("expire", { key, frames: Args.text({ name: "frames" }) }, (a) =>
    Effect.gen(function* () {
      const frames = yield* integer(a.frames, "frames")
      if (frames < 1n) return yield* Effect.fail(usage("frames must be at least 1"))
      const existed = (yield* getValue(env, a.key)) !== null
      yield* submit(env, kvExpire.encode, a.key, "", frames)
      yield* Console.log(`(integer) ${existed ? 1 : 0}`)
    }),
  ).pipe(Command.withDescription("EXPIRE key frames"))

const scanCommand = (env: CliEnv) =>
  Command.make("scan", { prefix: Args.text({ name: "prefix" }), count: Options.integer("count").pipe(Options.optional) }, (a) =>
    Effect.gen(function* () {
      const count = Option.match(a.count, { onNone: () => ({}), onSome: (n) => ({ count: String(n) }) })
      const raw = yield* env.api.get("scan", { domain, prefix: a.prefix, ...count })
      const answer = yield* Effect.mapError(ScanAnswer(raw), () => failed("the node's scan answer is malformed"))
      yield* Effect.forEach(answer.keys, (k) => Console.log(k), { discard: true })
    }),
  ).pipe(Command.withDescription("SCAN prefix [--count n]: live keys, one per line"))

export const kvCli: CliContribution = (env) => ({
  description: "A Redis-like key-value store on the default kv instance (expiry in frames).",
  members: [
    eraseCliCommand(setCommand(env)),
    eraseCliCommand(getCommand(env)),
    eraseCliCommand(delCommand(env)),
    eraseCliCommand(incrbyCommand(env)),
    eraseCliCommand(expireCommand(env)),
    eraseCliCommand(scanCommand(env)),
  ],
})
