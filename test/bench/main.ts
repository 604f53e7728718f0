// `bun run bench <suite> [...args]`: runs test/bench/<suite>.ts (each suite exports `run`).
// Every suite prints lines `<suite>.<case> <metric>=<n> baseline=<n> ratio=<r>` (see report.ts).
import { existsSync, readdirSync } from "node:fs"
import { join } from "node:path"

const dir = import.meta.dir
const suites = readdirSync(dir)
  .filter((f) => f.endsWith(".ts") && !["main.ts", "report.ts"].includes(f))
  .map((f) => f.slice(0, -3))

const [suite, ...rest] = process.argv.slice(2)
if (suite === undefined || !/^[a-z0-9-]+$/.test(suite) || !existsSync(join(dir, `${suite}.ts`))) {
  process.stderr.write(`usage: bun run bench <suite>   (suites: ${suites.join(", ")})\n`)
  process.exit(2)
}
const mod = (await import(join(dir, `${suite}.ts`))) as { run: (args: ReadonlyArray<string>) => Promise<void> }
await mod.run(rest)
