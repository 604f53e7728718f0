// Collects what arrives during one turn of the event loop and hands it over as one batch. The relay
// sends a worker one validate ask and one deliver tell per batch instead of one per message: every
// message crossing the process boundary costs an actor turn, a Schema decode and a fiber on each
// side, which a burst of small messages pays once per batch instead.

/**
 * Returns `push`. Items pushed before the next `setImmediate` go to `flush` together, in push order;
 * a batch that reaches `max` items is flushed at once (the rest start a new batch). `flush` gets a
 * non-empty array and must not throw.
 */
export const tickBatcher = <A>(max: number, flush: (items: ReadonlyArray<A>) => void): ((item: A) => void) => {
  let queue: Array<A> = []
  const run = (): void => {
    if (queue.length === 0) return
    const items = queue
    queue = []
    flush(items)
  }
  return (item) => {
    queue.push(item)
    if (queue.length === 1) setImmediate(run)
    else if (queue.length >= max) run()
  }
}
