// `bun run cli node info|workers|actors|status [--json] [--api http://host:port] [--data-dir <dir>]`:
// reads a running node's admin API. Human output by default, the API's JSON with --json.
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { lazy } from "../command.ts"
import { erase, group } from "../group.ts"
import type { NodeQuery, NodeView } from "./node/query.ts"

const options = {
  json: Options.boolean("json").pipe(Options.withDescription("Print the admin API's JSON instead of the human view.")),
  api: Options.text("api").pipe(Options.withDescription("The node's admin API, http://host:port (default: from the data dir)."), Options.optional),
  dataDir: Options.text("data-dir").pipe(
    Options.withDescription("The node's data dir, to find its admin API (default: $QUILBUN_DATA_DIR or the configured one)."),
    Options.optional,
  ),
}

const view = (name: NodeView, description: string) =>
  erase(
    Command.make(name, options, (o) =>
      Effect.flatMap(
        lazy(() => import("./node/query.ts")),
        (m) =>
          m.queryNode({
            view: name,
            json: o.json,
            api: Option.getOrUndefined(o.api),
            dataDir: Option.getOrUndefined(o.dataDir),
          } satisfies NodeQuery),
      ),
    ).pipe(Command.withDescription(description)),
  )

export const nodeGroup = group("node", "Ask a running node through its admin API.", [
  view("info", "Node id, version, uptime, pid, roles, workers and API address."),
  view("workers", "One row per worker core: pid, state, restarts, uptime."),
  view("actors", "The supervision tree: every actor and process with its state."),
  view("status", "The status line the node logs every 30 s: head, rank, peers, workers, frame interval, memory, shards, mempool."),
])
