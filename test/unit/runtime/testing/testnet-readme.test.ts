// README.md's testnet example ("Embedding a node in your tests") is test/sim/testnet-example.test.ts as
// it runs, and stays what the issue promised a plugin author: an end-to-end test under 20 lines.
import { describe, expect, test } from "bun:test"
import { readFileSync } from "node:fs"
import { join } from "node:path"

const REPO = join(import.meta.dir, "../../../..")
const readme = readFileSync(join(REPO, "README.md"), "utf8")
const example = readFileSync(join(REPO, "test/sim/testnet-example.test.ts"), "utf8")

/** The ```ts block of the README's embedding section that starts a Testnet. */
const readmeBlock = (): string => {
  const section = readme.slice(readme.indexOf("## Embedding a node in your tests"))
  const blocks = [...section.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1] ?? "")
  const block = blocks.find((b) => b.includes("Testnet.start"))
  if (block === undefined) throw new Error("README has no Testnet example in its embedding section")
  return block
}

/** Lines inside the test's callback: after the `test(` line, before its closing line. */
const bodyLines = (source: string): ReadonlyArray<string> => {
  const lines = source.trimEnd().split("\n")
  const open = lines.findIndex((l) => l.startsWith("test("))
  const close = lines.findLastIndex((l) => l.startsWith("}"))
  if (open < 0 || close <= open) throw new Error("no top-level test(...) in the example")
  return lines.slice(open + 1, close)
}

describe("the README's testnet example", () => {
  test("is the sim test, from its imports on", () => {
    expect(readmeBlock()).toBe(example.slice(example.indexOf("import ")))
  })

  test("has a test body under 20 lines", () => {
    const body = bodyLines(readmeBlock())
    expect(body.length).toBeGreaterThan(0)
    expect(body.length).toBeLessThan(20)
  })

  test("the line count sees a longer body", () => {
    const grown = example.replace("  await net.crash(3)\n", `${"  await net.advance(1)\n".repeat(12)}  await net.crash(3)\n`)
    expect(bodyLines(grown).length).toBeGreaterThanOrEqual(20)
  })
})
