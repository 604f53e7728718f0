// Run as a subprocess by vdf.test.ts with QUILBUN_NATIVE_LIB=/nonexistent: exercises the TypeScript
// implementation end to end (Worker solve, interruption through the shared cancel slot).
import { Effect, Exit, Fiber } from "effect"
import { makeVdf } from "../../../../crates/ts/vdf/vdf.ts"
import { LoggingLive } from "../../../../runtime/kernel/logging.ts"

const program = Effect.scoped(
  Effect.gen(function* () {
    const vdf = yield* makeVdf
    const fiber = yield* Effect.fork(vdf.prove(new Uint8Array([0xaa]), 1_000_000))
    yield* Effect.sleep("300 millis")
    const exit = yield* Fiber.interrupt(fiber)
    const output = yield* vdf.prove(new Uint8Array([0xaa]), 20)
    const ok = yield* vdf.verify(new Uint8Array([0xaa]), 20, output)
    return { implementation: vdf.implementation, interrupted: Exit.isInterrupted(exit), ok }
  }),
)

const result = await Effect.runPromise(program.pipe(Effect.provide(LoggingLive({ format: "pretty", level: "warning" }))))
process.stdout.write(`${JSON.stringify(result)}\n`)
