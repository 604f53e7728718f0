// The Console @effect/cli writes through while parsing: help (Console.log) loses its ANSI styles
// when stdout is not a terminal, and parse errors (Console.error) are dropped because app.ts
// reports them itself, from the typed ValidationError, with `error:` and a usage line.
import type * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import { plain } from "./plain-text.ts"

export const cliConsole = (base: Console.Console, stdoutIsTty: boolean): Console.Console => ({
  ...base,
  log: (...args: ReadonlyArray<unknown>) => base.log(...(stdoutIsTty ? args : args.map((a) => (typeof a === "string" ? plain(a) : a)))),
  error: () => Effect.void,
})
