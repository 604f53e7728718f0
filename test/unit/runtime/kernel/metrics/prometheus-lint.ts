// A strict check of the Prometheus text format 0.0.4 — the rules `promtool check metrics` enforces
// that matter here: HELP/TYPE once per family and before its samples, metric and label name rules,
// label value escaping, counters ending in _total, histogram buckets with le and +Inf, no duplicates.
const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/
// name{label="value",...} value — label values: any char except unescaped " \ newline.
const SAMPLE =
  /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*"(?:,[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*")*)?\})? (NaN|[+-]Inf|-?[0-9.eE+-]+)$/

/** Returns a list of format violations (empty = valid). */
export const lintExposition = (text: string): Array<string> => {
  const problems: Array<string> = []
  if (text.length > 0 && !text.endsWith("\n")) problems.push("missing final newline")
  const types = new Map<string, string>()
  const helps = new Set<string>()
  const seenSamples = new Set<string>()
  let currentFamily: string | undefined
  const closed = new Set<string>()
  for (const line of text.split("\n").slice(0, -1)) {
    if (line.startsWith("# HELP ")) {
      const name = line.slice(7).split(" ")[0] ?? ""
      if (!METRIC_NAME.test(name)) problems.push(`bad HELP name ${name}`)
      if (helps.has(name)) problems.push(`second HELP for ${name}`)
      helps.add(name)
      continue
    }
    if (line.startsWith("# TYPE ")) {
      const [name = "", type = ""] = line.slice(7).split(" ")
      if (types.has(name)) problems.push(`second TYPE for ${name}`)
      if (!["counter", "gauge", "histogram", "summary", "untyped"].includes(type)) problems.push(`bad type ${type}`)
      if (type === "counter" && !name.endsWith("_total")) problems.push(`counter ${name} does not end in _total`)
      if (!helps.has(name)) problems.push(`TYPE before HELP for ${name}`)
      if (currentFamily !== undefined) closed.add(currentFamily)
      if (closed.has(name)) problems.push(`family ${name} is split`)
      types.set(name, type)
      currentFamily = name
      continue
    }
    if (line.startsWith("#") || line === "") continue
    const m = SAMPLE.exec(line)
    if (m === null) {
      problems.push(`unparsable sample: ${line}`)
      continue
    }
    const sampleName = m[1] ?? ""
    const type = currentFamily === undefined ? undefined : types.get(currentFamily)
    const allowed =
      type === "histogram"
        ? [`${currentFamily}_bucket`, `${currentFamily}_sum`, `${currentFamily}_count`]
        : type === "summary"
          ? [currentFamily, `${currentFamily}_sum`, `${currentFamily}_count`]
          : [currentFamily]
    if (!allowed.includes(sampleName)) problems.push(`sample ${sampleName} outside its family ${currentFamily ?? "-"}`)
    const labels = m[2] ?? ""
    for (const pair of labels.slice(1, -1).match(/[a-zA-Z_][a-zA-Z0-9_]*(?==")/g) ?? []) {
      if (!LABEL_NAME.test(pair) || pair.startsWith("__")) problems.push(`bad label name ${pair}`)
    }
    if (type === "histogram" && sampleName.endsWith("_bucket") && !labels.includes('le="')) problems.push(`bucket without le: ${line}`)
    const key = `${sampleName}${labels}`
    if (seenSamples.has(key)) problems.push(`duplicate sample ${key}`)
    seenSamples.add(key)
  }
  for (const [name, type] of types) {
    if (type === "histogram" && !text.includes(`${name}_bucket{`) && text.includes(`${name}_count`)) problems.push(`histogram ${name} without buckets`)
    if (type === "histogram" && text.includes(`${name}_count`) && !new RegExp(`${name}_bucket\\{[^}]*le="\\+Inf"`).test(text))
      problems.push(`histogram ${name} without +Inf bucket`)
  }
  return problems
}
