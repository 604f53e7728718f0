// The whole suite, as `npm test` runs it: two lanes at once on the machine's two cores. The e2e lane
// (real processes and sockets) runs its files one after the other, so at most one devnet is up at a
// time; the other lane (unit, sim, bench and plugin tests, mostly one core of CPU) runs beside it.
// Serially the suite took ~21 minutes; in two lanes ~19 (the e2e lane is the longer). Moving test/e2e's
// subfolders to the other lane evened the lanes by a minute but put a worker-process test's 5 s start
// bound beside devnets, where it failed: the e2e folder stays whole.
// Each lane writes its own JUnit report; they are merged into reports/junit.xml (what CI reads), and
// every output line carries its lane's name. Extra arguments go to both lanes (e.g. `--bail`).
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { join } from "node:path"

const root = join(import.meta.dir, "..")
const reports = join(root, "reports")

interface Lane {
  readonly name: string
  readonly paths: ReadonlyArray<string>
}
const LANES: ReadonlyArray<Lane> = [
  { name: "e2e", paths: ["./test/e2e"] },
  { name: "unit", paths: ["./test/unit", "./test/sim", "./test/bench", "./plugins"] },
]

const reportOf = (lane: Lane) => join(reports, `junit-${lane.name}.xml`)

/** Copies a lane's output to ours line by line, each line prefixed with the lane's name. */
const relay = async (stream: ReadableStream<Uint8Array>, prefix: string, out: NodeJS.WriteStream) => {
  const decoder = new TextDecoder()
  let pending = ""
  for await (const chunk of stream) {
    pending += decoder.decode(chunk, { stream: true })
    const lines = pending.split("\n")
    pending = lines.pop() ?? ""
    if (lines.length > 0) out.write(lines.map((l) => `${prefix}${l}\n`).join(""))
  }
  if (pending !== "") out.write(`${prefix}${pending}\n`)
}

/**
 * The default per-test timeout in the lanes (bun's own is 5 s). The lanes share the two cores, so a unit
 * test that takes 2 s on a quiet machine can take several times that while a devnet starts beside it (a
 * time-reel test took 7.4 s so). Speed is measured by the benchmarks, not by timeouts; a test that sets its
 * own timeout keeps it.
 */
const DEFAULT_TIMEOUT_MS = 30_000

const runLane = async (lane: Lane, extra: ReadonlyArray<string>): Promise<number> => {
  rmSync(reportOf(lane), { force: true })
  const proc = Bun.spawn({
    cmd: [process.execPath, "test", "--reporter=junit", `--reporter-outfile=${reportOf(lane)}`, `--timeout=${DEFAULT_TIMEOUT_MS}`, ...lane.paths, ...extra],
    cwd: root,
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  })
  const prefix = `[${lane.name}] `
  await Promise.all([relay(proc.stdout, prefix, process.stdout), relay(proc.stderr, prefix, process.stderr)])
  return proc.exited
}

const TOTALS = ["tests", "assertions", "failures", "skipped"] as const

/** One `<testsuites>` from the lanes' reports: the counts summed, the times the longest lane's. */
const mergeReports = (xmls: ReadonlyArray<string>): string => {
  const sums = new Map<string, number>(TOTALS.map((k) => [k, 0]))
  let time = 0
  const bodies: Array<string> = []
  for (const xml of xmls) {
    const open = /<testsuites\b([^>]*)>/.exec(xml)
    if (open === null) continue
    const attrs = open[1] ?? ""
    for (const k of TOTALS) sums.set(k, (sums.get(k) ?? 0) + Number(new RegExp(`\\b${k}="(\\d+)"`).exec(attrs)?.[1] ?? 0))
    time = Math.max(time, Number(/\btime="([\d.]+)"/.exec(attrs)?.[1] ?? 0))
    const start = open.index + open[0].length
    bodies.push(xml.slice(start, xml.lastIndexOf("</testsuites>")))
  }
  const counts = TOTALS.map((k) => `${k}="${sums.get(k)}"`).join(" ")
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="bun test" ${counts} time="${time}">${bodies.join("")}</testsuites>\n`
}

mkdirSync(reports, { recursive: true })
const extra = process.argv.slice(2)
const codes = await Promise.all(LANES.map((lane) => runLane(lane, extra)))
const xmls = LANES.map((lane) => {
  try {
    return readFileSync(reportOf(lane), "utf8")
  } catch {
    return ""
  }
})
writeFileSync(join(reports, "junit.xml"), mergeReports(xmls))
for (const [i, lane] of LANES.entries()) console.log(`[${lane.name}] exited ${codes[i]}${xmls[i] === "" ? " (no JUnit report)" : ""}`)
process.exit(codes.every((c) => c === 0) && xmls.every((x) => x !== "") ? 0 : 1)
