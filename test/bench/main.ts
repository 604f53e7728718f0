// `bun run bench <suite> [...args]`: runs every file of the suite — test/bench/<suite>.ts and
// test/bench/<suite>-<part>.ts, in name order — each exporting `run`. Parts let several people
// add cases to one suite without sharing a file (e.g. execution-apply.ts, execution-root.ts).
// Every suite prints lines `<suite>.<case> <metric>=<n> baseline=<n> ratio=<r>` (see report.ts).
import { readdirSync } from "node:fs"
import { join } from "node:path"

const dir = import.meta.dir
const files = readdirSync(dir)
  .filter((f) => f.endsWith(".ts") && !["main.ts", "report.ts"].includes(f))
  .map((f) => f.slice(0, -3))
  .sort()
const suiteOf = (file: string): string => file.split("-")[0] ?? file
const suites = [...new Set(files.map(suiteOf))]

const [suite, ...rest] = process.argv.slice(2)
if (suite === undefined || !/^[a-z0-9]+$/.test(suite) || !suites.includes(suite)) {
  process.stderr.write(`usage: bun run bench <suite>   (suites: ${suites.join(", ")})\n`)
  process.exit(2)
}
for (const file of files.filter((f) => suiteOf(f) === suite)) {
  const mod = (await import(join(dir, `${file}.ts`))) as { run: (args: ReadonlyArray<string>) => Promise<void> }
  await mod.run(rest)
}
