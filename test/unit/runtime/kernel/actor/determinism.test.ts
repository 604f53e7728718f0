// The kernel must take time only from Effect's Clock and randomness only from Effect's Random, so a
// TestClock plus a seeded Random make a whole actor tree reproducible. This guards the sources.
import { expect, test } from "bun:test"
import { readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"

const dir = join(import.meta.dir, "../../../../../runtime/kernel/actor")

test("kernel sources use no wall clock, host timers, Math.random or console", () => {
  const files = readdirSync(dir).filter((f) => f.endsWith(".ts"))
  expect(files.length).toBeGreaterThan(8)
  const forbidden = [/Date\.now\s*\(/, /new Date\s*\(/, /performance\.now\s*\(/, /setTimeout\s*\(/, /setInterval\s*\(/, /Math\.random\s*\(/, /console\./]
  const offenders: Array<string> = []
  for (const file of files) {
    const source = readFileSync(join(dir, file), "utf8")
    for (const pattern of forbidden) if (pattern.test(source)) offenders.push(`${file}: ${pattern}`)
  }
  expect(offenders).toEqual([])
})
