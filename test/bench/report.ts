// Benchmark helpers: a timing loop and the one line format every suite prints.

/** Runs `body` for ~`ms` milliseconds (after a warm-up) and returns operations per second. */
export const opsPerSecond = async (
  body: (iterations: number) => void | Promise<void>,
  opts: { readonly batch: number; readonly ms?: number; readonly warmupMs?: number },
): Promise<number> => {
  const run = async (budgetMs: number): Promise<number> => {
    const start = performance.now()
    let ops = 0
    while (performance.now() - start < budgetMs) {
      await body(opts.batch)
      ops += opts.batch
    }
    return ops / ((performance.now() - start) / 1000)
  }
  await run(opts.warmupMs ?? 200)
  return run(opts.ms ?? 1000)
}

const fmt = (n: number): string => (Number.isInteger(n) ? String(n) : n >= 100 ? n.toFixed(0) : n >= 1 ? n.toFixed(2) : n.toPrecision(3))

/** Prints `name metric=value baseline=baseline ratio=value/baseline` (higher-is-better metrics). */
export const reportRatio = (name: string, metric: string, value: number, baseline: number): void => {
  process.stdout.write(`${name} ${metric}=${fmt(value)} baseline=${fmt(baseline)} ratio=${(value / baseline).toFixed(2)}\n`)
}

/** Prints `name key=value ...` for absolute measurements (e.g. `vdf.solve80k ms=2800`). */
export const reportValues = (name: string, values: Readonly<Record<string, number>>): void => {
  const parts = Object.entries(values).map(([k, v]) => `${k}=${fmt(v)}`)
  process.stdout.write(`${name} ${parts.join(" ")}\n`)
}
