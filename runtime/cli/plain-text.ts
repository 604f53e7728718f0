// @effect/cli renders help and errors with ANSI styles whether or not a terminal reads them;
// the CLI's output is also read by scripts and tests, so styles go unless stdout is a TTY.
import { stripVTControlCharacters } from "node:util"
import * as HelpDoc from "@effect/cli/HelpDoc"

export const plain = (text: string): string => stripVTControlCharacters(text)

export const helpText = (doc: HelpDoc.HelpDoc): string => plain(HelpDoc.toAnsiText(doc)).trim()

/**
 * Text from outside (a server's reply) made safe for one terminal line: escape sequences removed,
 * other control characters (including newlines and carriage returns) shown as spaces.
 */
export const oneLine = (text: string): string =>
  Array.from(stripVTControlCharacters(text), (ch) => {
    const code = ch.charCodeAt(0)
    return code < 0x20 || (code >= 0x7f && code <= 0x9f) ? " " : ch
  }).join("")
