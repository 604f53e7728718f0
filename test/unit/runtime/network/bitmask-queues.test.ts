import { describe, expect, test } from "bun:test"
import { BitmaskQueues } from "../../../../runtime/network/bitmask-queues.ts"

const drain = <T>(queues: BitmaskQueues<T>) => {
  const out: Array<[string, T]> = []
  for (let next = queues.take(); next !== undefined; next = queues.take()) out.push([next.bitmaskHex, next.item])
  return out
}

describe("BitmaskQueues", () => {
  test("drop-newest refuses messages once a bitmask's queue is full", () => {
    const queues = new BitmaskQueues<number>({ capacityPerBitmask: 2, maxBitmasks: 4, policy: "drop-newest" })
    expect(queues.offer("00", 1)._tag).toBe("Queued")
    expect(queues.offer("00", 2)._tag).toBe("Queued")
    expect(queues.offer("00", 3)).toEqual({ _tag: "Dropped", reason: "queue-full" })
    // another bitmask is unaffected
    expect(queues.offer("0000", 9)._tag).toBe("Queued")
    expect(queues.counters("00")).toEqual({ depth: 2, queued: 2, droppedFull: 1 })
    expect(
      drain(queues)
        .filter(([mask]) => mask === "00")
        .map(([, item]) => item),
    ).toEqual([1, 2])
  })

  test("drop-oldest evicts the oldest message to admit the new one", () => {
    const queues = new BitmaskQueues<number>({ capacityPerBitmask: 2, maxBitmasks: 4, policy: "drop-oldest" })
    for (const n of [1, 2, 3, 4]) queues.offer("00", n)
    expect(queues.depth("00")).toBe(2)
    expect(queues.counters("00").droppedFull).toBe(2)
    expect(drain(queues).map(([, item]) => item)).toEqual([3, 4])
  })

  test("the number of bitmasks is bounded too", () => {
    const queues = new BitmaskQueues<number>({ capacityPerBitmask: 4, maxBitmasks: 2, policy: "drop-newest" })
    queues.offer("01", 1)
    queues.offer("02", 2)
    expect(queues.offer("03", 3)).toEqual({ _tag: "Dropped", reason: "too-many-bitmasks" })
    expect(queues.droppedTooManyBitmasks).toBe(1)
    // once a lane drains it is released and a new bitmask fits
    drain(queues)
    expect(queues.bitmaskCount).toBe(0)
    expect(queues.offer("03", 3)._tag).toBe("Queued")
  })

  test("take visits bitmasks round-robin so a busy one cannot starve the others", () => {
    const queues = new BitmaskQueues<string>({ capacityPerBitmask: 10, maxBitmasks: 4, policy: "drop-newest" })
    for (let i = 0; i < 5; i++) queues.offer("busy", `b${i}`)
    queues.offer("quiet", "q0")
    const order = drain(queues).map(([, item]) => item)
    expect(order.indexOf("q0")).toBeLessThanOrEqual(1)
    expect(order.filter((item) => item.startsWith("b"))).toEqual(["b0", "b1", "b2", "b3", "b4"])
  })

  test("counters survive a lane being released and recreated", () => {
    const queues = new BitmaskQueues<number>({ capacityPerBitmask: 1, maxBitmasks: 2, policy: "drop-newest" })
    queues.offer("00", 1)
    queues.offer("00", 2)
    drain(queues)
    queues.offer("00", 3)
    expect(queues.counters("00")).toEqual({ depth: 1, queued: 2, droppedFull: 1 })
  })

  test("the ring buffer keeps FIFO order across wrap-around", () => {
    const queues = new BitmaskQueues<number>({ capacityPerBitmask: 3, maxBitmasks: 1, policy: "drop-newest" })
    const seen: Array<number> = []
    for (let n = 0; n < 20; n++) {
      queues.offer("00", n)
      if (n % 2 === 1) {
        const a = queues.take()
        if (a !== undefined) seen.push(a.item)
      }
    }
    seen.push(...drain(queues).map(([, item]) => item))
    expect(seen).toEqual([...seen].sort((x, y) => x - y))
  })
})
