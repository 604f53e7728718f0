// `bun run cli crypto poseidon <hex>` -> iden3 Poseidon HashBytes of the bytes, 32 bytes as hex.
import * as Args from "@effect/cli/Args"
import * as Command from "@effect/cli/Command"
import * as Effect from "effect/Effect"
import { lazy } from "../../command.ts"
import { erase } from "../../group.ts"

const input = Args.text({ name: "hex" }).pipe(Args.withDescription("The bytes to hash, hex, not empty."))

export const poseidonCommand = erase(
  Command.make("poseidon", { input }, (a) =>
    Effect.flatMap(
      lazy(() => import("./poseidon-run.ts")),
      (m) => m.poseidon(a.input),
    ),
  ).pipe(Command.withDescription("iden3 Poseidon HashBytes of the input: 32 bytes, hex.")),
)
