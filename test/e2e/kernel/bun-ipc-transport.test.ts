// The Bun IPC transport against a real child that echoes every IPC message back: a lone frame is
// written at once, a burst is batched, order is kept, and a frame that cannot be serialized is
// reported through `undeliverable` (never from `send`) without taking its neighbours down.
import { afterAll, describe, expect, test } from "bun:test"
import { makeParentIpcLink } from "../../../runtime/kernel/process/bun-ipc-transport.ts"
import type { Frame } from "../../../runtime/kernel/process/transport.ts"

const ECHO_CHILD = `process.on("disconnect", () => process.exit(0)); process.on("message", (m) => process.send(m));`

const link = makeParentIpcLink()
const received: Array<Frame> = []
const dropped: Array<Frame> = []
let rawMessages = 0
const proc = Bun.spawn({
  cmd: [process.execPath, "-e", ECHO_CHILD],
  serialization: "advanced",
  stdio: ["ignore", "inherit", "inherit"],
  ipc: (message) => {
    rawMessages++
    link.onMessage(message)
  },
  onDisconnect: () => link.onDisconnect(),
})
link.bind(proc)
link.transport.receive((frame) => received.push(frame))
link.transport.undeliverable((frame) => dropped.push(frame))

const waitFor = async (condition: () => boolean): Promise<void> => {
  const deadline = Date.now() + 3000
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("timed out")
    await Bun.sleep(2)
  }
}
const reset = (): void => {
  received.length = 0
  dropped.length = 0
  rawMessages = 0
}

afterAll(async () => {
  proc.kill()
  await proc.exited
})

describe("Bun IPC transport", () => {
  test("a lone frame goes out as itself; a burst after it is batched, in order", async () => {
    reset()
    expect(link.transport.send([1, "t", "lone"])).toBe(true)
    await waitFor(() => received.length === 1)
    expect(rawMessages).toBe(1)
    reset()
    for (let i = 1; i <= 6; i++) link.transport.send([i, "t", i])
    await waitFor(() => received.length === 6)
    expect(received.map((f) => f[0])).toEqual([1, 2, 3, 4, 5, 6])
    // The first frame is written at once, the other five together: two IPC messages, not six.
    expect(rawMessages).toBe(2)
  })

  test("an unserializable frame is reported, not thrown, and its neighbours still arrive", async () => {
    reset()
    const bad: Frame = [2, "t", () => "functions do not clone"]
    link.transport.send([1, "t", "before"])
    expect(link.transport.send(bad)).toBe(true)
    link.transport.send([3, "t", "after"])
    expect(dropped).toEqual([])
    await waitFor(() => received.length === 2 && dropped.length === 1)
    expect(received.map((f) => f[0])).toEqual([1, 3])
    expect(dropped[0]).toBe(bad)
  })

  test("a lone unserializable frame is reported asynchronously too", async () => {
    reset()
    const bad: Frame = [9, "t", Symbol("no")]
    expect(link.transport.send(bad)).toBe(true)
    expect(dropped).toEqual([])
    await waitFor(() => dropped.length === 1)
    link.transport.send([10, "t", "still open"])
    await waitFor(() => received.length === 1)
    expect(received[0]?.[0]).toBe(10)
  })
})
