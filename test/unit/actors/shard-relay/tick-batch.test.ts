import { describe, expect, test } from "bun:test"
import { tickBatcher } from "../../../../actors/shard-relay/tick-batch.ts"

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve))

describe("tickBatcher", () => {
  test("items pushed in one turn are flushed together, in order, after the turn", async () => {
    const batches: Array<ReadonlyArray<number>> = []
    const push = tickBatcher<number>(10, (items) => batches.push(items))
    push(1)
    push(2)
    push(3)
    expect(batches).toEqual([])
    await nextTurn()
    expect(batches).toEqual([[1, 2, 3]])
    push(4)
    await nextTurn()
    expect(batches).toEqual([[1, 2, 3], [4]])
  })

  test("a batch that reaches the maximum is flushed at once; the rest follow after the turn", async () => {
    const batches: Array<ReadonlyArray<number>> = []
    const push = tickBatcher<number>(3, (items) => batches.push(items))
    for (let i = 0; i < 7; i++) push(i)
    expect(batches).toEqual([
      [0, 1, 2],
      [3, 4, 5],
    ])
    await nextTurn()
    await nextTurn()
    expect(batches).toEqual([[0, 1, 2], [3, 4, 5], [6]])
  })
})
