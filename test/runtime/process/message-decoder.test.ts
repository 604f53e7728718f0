// The link's message decoder must agree with the protocol's union decode on every input: the same
// class instances (with transformed fields decoded), the same refusals with the same messages.
import { describe, expect, test } from "bun:test"
import { Either, Schema } from "effect"
import type { Message, Protocol as ProtocolT } from "../../../runtime/actor/protocol.ts"
import { Protocol } from "../../../runtime/index.ts"
import { Count, Echo, ProbeProtocol, Refuse, Where } from "../../../runtime/node/probe.ts"
import { messageDecoder } from "../../../runtime/process/message-decoder.ts"

class Stamp extends Schema.TaggedRequest<Stamp>()("Stamp", {
  payload: { at: Schema.Date, n: Schema.optionalWith(Schema.Number, { default: () => 7 }) },
  success: Schema.Number,
  failure: Schema.Never
}) {}
const Tick = Schema.TaggedStruct("Tick", { n: Schema.Number })
// Two members share a tag: only the union can decide (first match wins).
class TwinA extends Schema.TaggedClass<TwinA>()("Twin", { a: Schema.String }) {}
class TwinB extends Schema.TaggedClass<TwinB>()("Twin", { b: Schema.Number }) {}
const Mixed = Protocol.make("Mixed", Stamp, Tick, TwinA, TwinB) as unknown as ProtocolT<Message>
const Probe = ProbeProtocol as unknown as ProtocolT<Message>

const both = (protocol: ProtocolT<Message>, u: unknown) => ({
  fast: messageDecoder(protocol)(u),
  union: Schema.decodeUnknownEither(protocol.schema)(u)
})

const agree = (protocol: ProtocolT<Message>, u: unknown): Either.Either<Message, string> => {
  const { fast, union } = both(protocol, u)
  if (Either.isRight(union)) {
    expect(Either.isRight(fast)).toBe(true)
    const [a, b] = [Either.getOrThrow(fast), union.right]
    expect(Object.getPrototypeOf(a)).toBe(Object.getPrototypeOf(b))
    expect({ ...a }).toEqual({ ...b })
    return Either.right(a)
  }
  expect(Either.isLeft(fast)).toBe(true)
  const message = Either.isLeft(fast) ? fast.left.message : ""
  expect(message).toBe(union.left.message)
  return Either.left(message)
}

describe("link message decoder", () => {
  test("decodes class members to the same instances as the union", () => {
    const echo = agree(Probe, { _tag: "Echo", value: { deep: [1, "x"] } })
    expect(Either.getOrThrow(echo)).toBeInstanceOf(Echo)
    expect(Either.getOrThrow(agree(Probe, { _tag: "Where" }))).toBeInstanceOf(Where)
    expect(Either.getOrThrow(agree(Probe, { _tag: "Refuse", reason: "no" }))).toBeInstanceOf(Refuse)
    expect(Either.getOrThrow(agree(Probe, { _tag: "Count" }))).toBeInstanceOf(Count)
    // Excess properties are dropped, as the union drops them.
    const extra = Either.getOrThrow(agree(Probe, { _tag: "Refuse", reason: "r", sneaky: 1 }))
    expect("sneaky" in extra).toBe(false)
  })

  test("runs field transformations and defaults like the union", () => {
    const stamp = Either.getOrThrow(agree(Mixed, { _tag: "Stamp", at: "1970-01-01T00:00:01.000Z" }))
    expect(stamp).toBeInstanceOf(Stamp)
    expect((stamp as Stamp).at.getTime()).toBe(1000)
    expect((stamp as Stamp).n).toBe(7)
    const tick: unknown = Either.getOrThrow(agree(Mixed, { _tag: "Tick", n: 2 }))
    expect(tick).toEqual({ _tag: "Tick", n: 2 })
    expect(Either.getOrThrow(agree(Mixed, { _tag: "Twin", b: 3 }))).toBeInstanceOf(TwinB)
    expect(Either.getOrThrow(agree(Mixed, { _tag: "Twin", a: "x" }))).toBeInstanceOf(TwinA)
  })

  test("refuses what the union refuses, with the union's message", () => {
    for (const bad of [
      { _tag: "Refuse", reason: 5 },
      { _tag: "Nope" },
      { _tag: "Stamp", at: "not a date" },
      { _tag: 3 },
      [],
      null,
      "Echo"
    ]) {
      expect(Either.isLeft(agree(Probe, bad)) || Either.isLeft(agree(Mixed, bad))).toBe(true)
      agree(Mixed, bad)
    }
  })
})
