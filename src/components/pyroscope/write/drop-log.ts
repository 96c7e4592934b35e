/**
 * Aggregated logging of dropped profiles: the first drop of a quiet period is logged at once, later ones are
 * summed and logged as one line per reason at most every `intervalMs` (OTel's BatchSpanProcessor does the
 * same), so a flood of drops costs a few log lines, not one per profile. Counting is the metrics' job; this
 * only keeps the logs readable and never loses the number.
 */
import type { Clock } from '../../../util/clock.js'
import type { Logger } from '../../../util/logger.js'
import type { DropReason } from './metrics.js'

export const DROP_LOG_INTERVAL_MS = 10_000

interface Pending {
  count: number
  lastError: string | undefined
}

export class DropLog {
  readonly #pending = new Map<DropReason, Pending>()
  #lastLogAt = Number.NEGATIVE_INFINITY
  readonly #logger: Logger
  readonly #clock: Clock
  readonly #intervalMs: number

  constructor(logger: Logger, clock: Clock, intervalMs: number = DROP_LOG_INTERVAL_MS) {
    this.#logger = logger
    this.#clock = clock
    this.#intervalMs = intervalMs
  }

  record(reason: DropReason, count: number, error?: string): void {
    if (count <= 0) return
    const entry = this.#pending.get(reason) ?? { count: 0, lastError: undefined }
    entry.count += count
    if (error !== undefined) entry.lastError = error
    this.#pending.set(reason, entry)
    if (this.#clock.now() - this.#lastLogAt >= this.#intervalMs) this.flush()
  }

  /** Logs what is pending (called by `record`, by the endpoint's periodic tick and at shutdown). */
  flush(): void {
    if (this.#pending.size === 0) return
    this.#lastLogAt = this.#clock.now()
    for (const [reason, { count, lastError }] of this.#pending) {
      this.#logger.warn({ reason, dropped: count, err: lastError }, `dropped ${count} profile(s): ${describeReason(reason)}`)
    }
    this.#pending.clear()
  }
}

function describeReason(reason: DropReason): string {
  switch (reason) {
    case 'queue_full':
      return 'the queue is full (the endpoint is slow or down)'
    case 'retries_exhausted':
      return 'every attempt failed (max_backoff_retries reached)'
    case 'rejected':
      return 'the endpoint refused them (HTTP 4xx, not retried)'
    case 'shutdown':
      return 'still queued or in flight when the shutdown grace period ended'
    case 'invalid_labels':
      return 'their labels are invalid'
    default: {
      const unknown: never = reason
      return String(unknown)
    }
  }
}
