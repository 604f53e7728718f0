// Structured logging for every node process: Effect's Logger, written as one JSON object per
// line (`--log-format json`) or a human line (`pretty`) to stderr. The level can be changed at
// runtime (POST /v1/log-level) through LogLevelControl, which the logger reads on every call.
import { Cause, Context, Effect, FiberId, HashMap, Inspectable, Layer, List, Logger, LogLevel, Schema } from "effect"

export const LogFormat = Schema.Literal("json", "pretty")
export type LogFormat = typeof LogFormat.Type

/** Level names accepted on the command line, in config and by the admin API. */
export const LogLevelName = Schema.Literal("trace", "debug", "info", "warning", "error", "fatal", "none")
export type LogLevelName = typeof LogLevelName.Type

/** The log level names of the config and the admin API, onto Effect's levels. */
export const toEffectLogLevel: Record<LogLevelName, LogLevel.LogLevel> = {
  trace: LogLevel.Trace,
  debug: LogLevel.Debug,
  info: LogLevel.Info,
  warning: LogLevel.Warning,
  error: LogLevel.Error,
  fatal: LogLevel.Fatal,
  none: LogLevel.None,
}

export class LogLevelControl extends Context.Tag("quilbun/LogLevelControl")<
  LogLevelControl,
  {
    readonly get: Effect.Effect<LogLevelName>
    readonly set: (level: LogLevelName) => Effect.Effect<void>
  }
>() {}

export interface LoggingOptions {
  readonly format: LogFormat
  readonly level: LogLevelName
  /** Written into every line (e.g. `{ core: 1 }` in a worker). */
  readonly fields?: Readonly<Record<string, unknown>>
  /** Where lines go; stderr by default (tests capture it). */
  readonly write?: (line: string) => void
}

const messageText = (message: unknown): string => {
  if (Array.isArray(message)) return message.map(messageText).join(" ")
  return typeof message === "string" ? message : Inspectable.toStringUnknown(message, 0)
}

const jsonSafe = (value: unknown): unknown => {
  if (typeof value === "bigint") return value.toString()
  return value
}

const makeLogger = (options: Omit<LoggingOptions, "level">, minimum: () => LogLevel.LogLevel): Logger.Logger<unknown, void> => {
  const write = options.write ?? ((line: string) => void process.stderr.write(`${line}\n`))
  const fields = options.fields ?? {}
  return Logger.make(({ annotations, cause, date, fiberId, logLevel, message, spans }) => {
    if (LogLevel.lessThan(logLevel, minimum())) return
    const annotated: Record<string, unknown> = { ...fields }
    for (const [k, v] of HashMap.toEntries(annotations)) annotated[k] = jsonSafe(v)
    const causeText = Cause.isEmpty(cause) ? undefined : Cause.pretty(cause, { renderErrorCause: true })
    const spanText = List.toArray(spans).map((s) => `${s.label}=${date.getTime() - s.startTime}ms`)
    if (options.format === "json") {
      const record: Record<string, unknown> = {
        time: date.toISOString(),
        level: logLevel.label.toLowerCase(),
        message: messageText(message),
        fiber: FiberId.threadName(fiberId),
        ...annotated,
      }
      if (spanText.length > 0) record.spans = spanText
      if (causeText !== undefined) record.cause = causeText
      write(JSON.stringify(record, (_k, v: unknown) => jsonSafe(v)))
    } else {
      const kv = Object.entries(annotated).map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`)
      const parts = [date.toISOString(), logLevel.label.padEnd(7), messageText(message), ...kv, ...spanText]
      write(causeText === undefined ? parts.join(" ") : `${parts.join(" ")}\n${causeText}`)
    }
  })
}

/** Replaces the default logger and provides LogLevelControl. */
export const LoggingLive = (options: LoggingOptions): Layer.Layer<LogLevelControl> => {
  let current: LogLevelName = options.level
  const logger = makeLogger(options, () => toEffectLogLevel[current])
  return Layer.mergeAll(
    Logger.replace(Logger.defaultLogger, logger),
    Logger.minimumLogLevel(LogLevel.All),
    Layer.succeed(LogLevelControl, {
      get: Effect.sync(() => current),
      set: (level) =>
        Effect.sync(() => {
          current = level
        }),
    }),
  )
}
