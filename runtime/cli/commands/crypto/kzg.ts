// `bun run cli crypto kzg commit <poly-size> <data-hex>` -> the 74-byte commitment as hex.
import * as Args from "@effect/cli/Args"
import * as Command from "@effect/cli/Command"
import * as Effect from "effect/Effect"
import { lazy } from "../../command.ts"
import { erase, group } from "../../group.ts"

const polySize = Args.text({ name: "poly-size" }).pipe(Args.withDescription("Evaluations in the polynomial: 16, 32, 64, 128 or 256."))
const data = Args.text({ name: "data-hex" }).pipe(Args.withDescription("The data, hex: split into 64-byte big-endian evaluations, zero-padded to poly-size."))

const commit = Command.make("commit", { polySize, data }, (a) =>
  Effect.flatMap(
    lazy(() => import("./kzg-run.ts")),
    (m) => m.commit(a.polySize, a.data),
  ),
).pipe(Command.withDescription("KZG commitment to the data over BLS48-581: 74 bytes, hex."))

export const kzgGroup = group("kzg", "KZG polynomial commitments.", [erase(commit)])
