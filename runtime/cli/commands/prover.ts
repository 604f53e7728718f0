// `bun run cli prover status [address] | rewards <address> [--json] [--api http://host:port] [--data-dir <dir>]`:
// the prover registry and reward balances of a running node (GET /v1/provers, /v1/provers/{address});
// `prover join|confirm|reject|leave|pause|resume <filter>… | delegate <address> [--wait]`: the node's own
// lifecycle operations (POST /v1/provers/lifecycle).
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

const filters = Args.text({ name: "filter" }).pipe(Args.withDescription("A shard filter: 32–64 bytes of hex, 0x optional."))
const lifecycleOptions = {
  ...options,
  wait: Options.boolean("wait").pipe(Options.withDescription("Wait until a committed global frame applied it (the registry shows its effect).")),
  timeout: Options.integer("timeout").pipe(Options.withDescription("Seconds --wait waits at most."), Options.withDefault(120)),
}
type LifecycleOpts = {
  readonly json: boolean
  readonly api: Option.Option<string>
  readonly dataDir: Option.Option<string>
  readonly wait: boolean
  readonly timeout: number
}

const runLifecycle = (
  operation: "join" | "confirm" | "reject" | "leave" | "pause" | "resume" | "delegate",
  o: LifecycleOpts,
  filterList: ReadonlyArray<string>,
  delegate?: string,
) =>
  Effect.flatMap(
    lazy(() => import("./prover/lifecycle.ts")),
    (m) =>
      m.runLifecycle({
        operation,
        filters: filterList,
        delegate,
        wait: o.wait,
        timeoutSeconds: o.timeout,
        json: o.json,
        api: Option.getOrUndefined(o.api),
        dataDir: Option.getOrUndefined(o.dataDir),
      }),
  )

const withFilters = (operation: "confirm" | "reject" | "leave", description: string) =>
  Command.make(operation, { ...lifecycleOptions, filters: Args.atLeast(filters, 1) }, (o) => runLifecycle(operation, o, o.filters)).pipe(
    Command.withDescription(description),
  )
const withFilter = (operation: "pause" | "resume", description: string) =>
  Command.make(operation, { ...lifecycleOptions, filter: filters }, (o) => runLifecycle(operation, o, [o.filter])).pipe(Command.withDescription(description))

const joinCommand = Command.make(
  "join",
  {
    ...lifecycleOptions,
    filters: Args.atLeast(filters, 1),
    delegate: Options.text("delegate").pipe(Options.withDescription("Reward address (64 hex digits)."), Options.optional),
  },
  (o) => runLifecycle("join", o, o.filters, Option.getOrUndefined(o.delegate)),
).pipe(Command.withDescription("Join shards: the node's data workers prove the join against the committed head; confirm after the network's confirm delay."))
const confirm = withFilters("confirm", "Confirm this node's pending join (or leave) of the shards, inside the lifecycle window.")
const reject = withFilters("reject", "Withdraw this node's pending join of the shards.")
const leave = withFilters("leave", "Leave the shards (confirm the leave after the confirm delay).")
const pause = withFilter("pause", "Pause an active allocation (it is treated as left if not resumed within the pause timeout).")
const resume = withFilter("resume", "Resume a paused allocation.")
const delegate = Command.make(
  "delegate",
  { ...lifecycleOptions, address: Args.text({ name: "address" }).pipe(Args.withDescription("Reward address: 64 hex digits.")) },
  (o) => runLifecycle("delegate", o, [], o.address),
).pipe(Command.withDescription("Send this prover's rewards to another address (ProverUpdate)."))

export const proverGroup = group("prover", "Provers, their rewards and this node's own lifecycle operations, through a running node's admin API.", [
  erase(status),
  erase(rewards),
  erase(joinCommand),
  erase(confirm),
  erase(reject),
  erase(leave),
  erase(pause),
  erase(resume),
  erase(delegate),
])
