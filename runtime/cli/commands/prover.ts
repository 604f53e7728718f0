// `bun run cli prover status [address] | rewards <address> [--json] [--api http://host:port] [--data-dir <dir>]`:
// the prover registry and reward balances of a running node (GET /v1/provers, /v1/provers/{address}).
import * as Args from "@effect/cli/Args"
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { lazy } from "../command.ts"
import { erase, group } from "../group.ts"

const options = {
  json: Options.boolean("json").pipe(Options.withDescription("Print the admin API's JSON instead of the human view.")),
  api: Options.text("api").pipe(Options.withDescription("The node's admin API, http://host:port (default: from the data dir)."), Options.optional),
  dataDir: Options.text("data-dir").pipe(
    Options.withDescription("The node's data dir, to find its admin API (default: $QUILBUN_DATA_DIR or the configured one)."),
    Options.optional,
  ),
}
const address = Args.text({ name: "address" }).pipe(Args.withDescription("The prover's address: 64 hex digits, 0x optional."))

const status = Command.make("status", { ...options, address: Args.optional(address) }, (o) =>
  Effect.flatMap(
    lazy(() => import("./prover/query.ts")),
    (m) =>
      m.queryProvers({
        view: "status",
        address: Option.getOrUndefined(o.address),
        json: o.json,
        api: Option.getOrUndefined(o.api),
        dataDir: Option.getOrUndefined(o.dataDir),
      }),
  ),
).pipe(Command.withDescription("One line per prover (or the one given): status, seniority and unminted reward in QUIL."))

const rewards = Command.make("rewards", { ...options, address }, (o) =>
  Effect.flatMap(
    lazy(() => import("./prover/query.ts")),
    (m) => m.queryProvers({ view: "rewards", address: o.address, json: o.json, api: Option.getOrUndefined(o.api), dataDir: Option.getOrUndefined(o.dataDir) }),
  ),
).pipe(Command.withDescription("A prover's reward balance (QUIL and raw units) and, per allocation, its ring and last-active frame."))

export const proverGroup = group("prover", "Provers and their rewards, from a running node's admin API.", [erase(status), erase(rewards)])
