// Effect Metrics for actors, tagged with the actor path. The hot loop counts in plain fields; the
// system flushes the deltas here every `metricsInterval` (and on snapshot, crash and stop), because a
// metric update per message would cost more than the message itself.
import { Metric, MetricLabel } from "effect"

export const processedTotal = Metric.counter("quilbun_actor_processed_total", {
  description: "Messages an actor finished processing (any outcome)",
})
export const failedTotal = Metric.counter("quilbun_actor_failed_total", {
  description: "Messages whose handler failed (declared failure or crash)",
})
export const restartsTotal = Metric.counter("quilbun_actor_restarts_total", {
  description: "Restarts of an actor or supervisor by its supervisor",
})
export const mailboxDepth = Metric.gauge("quilbun_actor_mailbox_depth", {
  description: "Messages waiting in an actor's mailbox",
})

/** Per-actor metric handle: the labels are built once per path. */
export class ActorMetrics {
  private readonly labels: ReadonlyArray<MetricLabel.MetricLabel>
  private flushedProcessed = 0
  private flushedFailed = 0

  constructor(path: string) {
    this.labels = [MetricLabel.make("path", path)]
  }

  flush(processed: number, failed: number, depth: number): void {
    if (processed !== this.flushedProcessed) {
      processedTotal.unsafeUpdate(processed - this.flushedProcessed, this.labels)
      this.flushedProcessed = processed
    }
    if (failed !== this.flushedFailed) {
      failedTotal.unsafeUpdate(failed - this.flushedFailed, this.labels)
      this.flushedFailed = failed
    }
    mailboxDepth.unsafeUpdate(depth, this.labels)
  }

  restarted(): void {
    restartsTotal.unsafeUpdate(1, this.labels)
  }
}
