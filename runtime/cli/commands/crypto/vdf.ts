// `bun run cli crypto vdf prove <challenge-hex> <iterations>` -> the 516-byte output as hex;
// `bun run cli crypto vdf verify <challenge-hex> <iterations> <output-hex>` -> valid (0) / invalid (1).
import * as Args from "@effect/cli/Args"
import * as Command from "@effect/cli/Command"
import * as Effect from "effect/Effect"
import { lazy } from "../../command.ts"
import { erase, group } from "../../group.ts"

const challenge = Args.text({ name: "challenge-hex" }).pipe(Args.withDescription("The challenge bytes, hex."))
const iterations = Args.text({ name: "iterations" }).pipe(Args.withDescription("Squarings, an integer in [0, 2^32)."))
const output = Args.text({ name: "output-hex" }).pipe(Args.withDescription("The 516-byte output to check, hex."))

const impl = () => lazy(() => import("./vdf-run.ts"))

const prove = Command.make("prove", { challenge, iterations }, (a) => Effect.flatMap(impl(), (m) => m.prove(a.challenge, a.iterations))).pipe(
  Command.withDescription("Compute the Wesolowski VDF output (native library, or the slow TypeScript fallback)."),
)

const verify = Command.make("verify", { challenge, iterations, output }, (a) =>
  Effect.flatMap(impl(), (m) => m.verify(a.challenge, a.iterations, a.output)),
).pipe(Command.withDescription("Check a VDF output: prints valid (exit 0) or invalid (exit 1)."))

export const vdfGroup = group("vdf", "Class-group VDF (Wesolowski) prove and verify.", [erase(prove), erase(verify)])
