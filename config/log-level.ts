// Maps the config's log level names onto Effect's LogLevel (for Logger.minimumLogLevel).
import { LogLevel as EffectLogLevel } from "effect"
import type { LogLevel } from "./schema.ts"

export const toEffectLogLevel = (level: LogLevel): EffectLogLevel.LogLevel => {
  switch (level) {
    case "trace":
      return EffectLogLevel.Trace
    case "debug":
      return EffectLogLevel.Debug
    case "info":
      return EffectLogLevel.Info
    case "warning":
      return EffectLogLevel.Warning
    case "error":
      return EffectLogLevel.Error
  }
}
