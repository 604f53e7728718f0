// Metrics the engine records itself (the node layer samples rank and timeouts from its status).
import { Metric } from "effect"

export const timeoutCertificatesTotal = Metric.counter("quilbun_consensus_timeout_certificates_total", {
  description: "timeout certificates this node formed from collected timeouts",
  incremental: true,
})

export const proposalsRejectedTotal = Metric.counter("quilbun_consensus_proposals_rejected_total", {
  description: "proposals refused by validation, by reason",
  incremental: true,
})

export const ranksTimedOutTotal = Metric.counter("quilbun_consensus_ranks_timed_out_total", {
  description: "ranks this node left through a timeout certificate instead of a quorum certificate",
  incremental: true,
})
