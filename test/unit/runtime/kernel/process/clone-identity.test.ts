import { describe, expect, test } from "bun:test"
import { Schema } from "effect"
import { isCloneIdentity } from "../../../../../runtime/kernel/process/clone-identity.ts"
import { messageNeedsNoEncoding, successNeedsNoDecoding } from "../../../../../runtime/kernel/process/remote-ref.ts"
import { Echo, Where } from "../../../../../runtime/node/probe.ts"

class Point extends Schema.Class<Point>("Point")({ x: Schema.Number }) {}
class WithDate extends Schema.TaggedRequest<WithDate>()("WithDate", {
  payload: { at: Schema.Date },
  success: Schema.Option(Schema.Number),
  failure: Schema.Never,
}) {}

describe("clone identity (skip Schema on the IPC hot path only when it is a no-op)", () => {
  test("plain shapes are identity", () => {
    for (const s of [
      Schema.Number,
      Schema.Int,
      Schema.Struct({ a: Schema.String, b: Schema.optional(Schema.Array(Schema.Uint8ArrayFromSelf)) }),
      Schema.Union(Schema.Literal("a"), Schema.Tuple(Schema.BigIntFromSelf, Schema.DateFromSelf)),
      Schema.Record({ key: Schema.String, value: Schema.Unknown }),
    ]) {
      expect(isCloneIdentity(s.ast)).toBe(true)
    }
  })

  test("transformations and class instances are not", () => {
    for (const s of [
      Schema.Date,
      Schema.NumberFromString,
      Point,
      Schema.Option(Schema.Number),
      Schema.Struct({ p: Point }),
      Schema.OptionFromSelf(Schema.Number),
    ]) {
      expect(isCloneIdentity(s.ast)).toBe(false)
    }
  })

  test("message and reply decisions", () => {
    expect(messageNeedsNoEncoding(new Echo({ value: 1 }))).toBe(true)
    expect(successNeedsNoDecoding(new Where())).toBe(true)
    expect(messageNeedsNoEncoding(new WithDate({ at: new Date(0) }))).toBe(false)
    expect(successNeedsNoDecoding(new WithDate({ at: new Date(0) }))).toBe(false)
  })
})
