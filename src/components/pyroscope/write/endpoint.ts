/**
 * One configured pyroscope.write endpoint: a bounded queue drained by a few concurrent senders, each batch
 * sent as one request (prepared-push.ts) and retried with dskit-style backoff and Retry-After
 * (retrying-push.ts) until it succeeds, is refused, or runs out of attempts. This file orchestrates and counts.
 *
 * Invariant (tested as a sum): every profile offered to `enqueue` (and every invalid one reported with
 * `recordInvalid`) ends as exactly one of sent, dropped(queue_full | retries_exhausted | rejected | shutdown |
 * invalid_labels), or is still queued / in flight. A "profile" is one appended series.
 *
 * Shutdown: when the run signal aborts, `enqueue` refuses new profiles (counted as shutdown), the senders keep
 * draining the queue for up to `drain_grace_ms`, then every attempt and backoff in progress is cut and what
 * remains is counted as dropped(shutdown).
 */
import type { HttpClient } from '../../../http/index.js'
import type { Clock } from '../../../util/clock.js'
import type { Logger } from '../../../util/logger.js'
import { untilAborted } from '../../../util/signals.js'
import { sleepUnlessStopped } from '../../../util/stoppable-sleep.js'
import type { EndpointArguments } from './arguments.js'
import { DropLog, DROP_LOG_INTERVAL_MS } from './drop-log.js'
import type { DropReason, WriteMetrics } from './metrics.js'
import { pushOnce } from './push-attempt.js'
import { preparePush, pushTarget } from './prepared-push.js'
import type { PreparedSeries } from './prepared-push.js'
import { BoundedQueue } from './queue.js'
import { RetryingPush } from './retrying-push.js'

/** A few pushes in flight hide one slow round trip without letting one endpoint open many connections. */
export const DEFAULT_CONCURRENCY = 4
/** At most this many profiles, and about this many bytes, go in one push request (see `#send`). */
export const MAX_BATCH_SERIES = 100
export const MAX_BATCH_BYTES = 4 * 1024 * 1024
/** How long a shutdown waits for queued profiles to be sent before counting them as dropped. */
export const DEFAULT_DRAIN_GRACE_MS = 5_000

/** The endpoint's arguments as configured (see arguments.ts), plus what the component supplies. */
export interface EndpointOptions
  extends Pick<
    EndpointArguments,
    'url' | 'remote_timeout_ms' | 'headers' | 'min_backoff_ms' | 'max_backoff_ms' | 'max_backoff_retries'
  > {
  /** Metric and log label; the URL (without credentials) when empty. */
  readonly name: string
  readonly queue_capacity: number
  readonly userAgent: string
  /** Alloy's `retry_on_http_429`; default true. */
  readonly retry_on_http_429?: boolean
  /** Pushes in flight at once; default DEFAULT_CONCURRENCY. */
  readonly concurrency?: number
  /** Shutdown drain budget; default DEFAULT_DRAIN_GRACE_MS. */
  readonly drain_grace_ms?: number
}

export interface EndpointDeps {
  readonly client: HttpClient
  readonly clock: Clock
  /** [0, 1), for backoff jitter; Math.random by default. */
  readonly random?: () => number
  readonly logger: Logger
  readonly metrics: WriteMetrics
}

export interface EndpointStats {
  sent: number
  dropped_queue_full: number
  dropped_retries_exhausted: number
  dropped_rejected: number
  dropped_shutdown: number
  dropped_invalid_labels: number
  queued: number
  in_flight: number
}

export class Endpoint {
  /** The endpoint's name in logs and the debug API (`name`, or the URL without credentials). */
  readonly name: string
  /** The `endpoint` label of this endpoint's metrics: its URL without credentials, as Alloy's. */
  readonly metricLabel: string
  readonly #opts: EndpointOptions
  readonly #deps: EndpointDeps
  readonly #queue: BoundedQueue<PreparedSeries>
  readonly #retrying: RetryingPush
  readonly #dropLog: DropLog
  readonly #logger: Logger
  readonly #counts = { sent: 0, queue_full: 0, retries_exhausted: 0, rejected: 0, shutdown: 0, invalid_labels: 0 }
  #inFlight = 0
  #running = false
  /** false once a newer endpoint with the same name reports the queue-length gauge. */
  #ownsQueueGauge = true
  /** Aborted when the shutdown grace period ends: cuts attempts and backoffs in progress. */
  readonly #hardStop = new AbortController()

  constructor(opts: EndpointOptions, deps: EndpointDeps) {
    this.#opts = opts
    this.#deps = deps
    this.name = opts.name !== '' ? opts.name : withoutCredentials(opts.url)
    // Alloy labels pyroscope_write_* with the endpoint's URL (docs/operations.md).
    this.metricLabel = withoutCredentials(opts.url)
    this.#queue = new BoundedQueue(opts.queue_capacity, (series) => series.body.byteLength)
    this.#logger = deps.logger.child({ endpoint: this.name })
    this.#dropLog = new DropLog(this.#logger, deps.clock)
    const target = pushTarget(opts)
    this.#retrying = new RetryingPush({
      transport: (body, stop) => pushOnce(deps.client, target, body, deps.clock, stop),
      policy: { minBackoffMs: opts.min_backoff_ms, maxBackoffMs: opts.max_backoff_ms, maxAttempts: opts.max_backoff_retries },
      clock: deps.clock,
      random: deps.random,
      logger: this.#logger,
      metrics: deps.metrics,
      metricLabel: this.metricLabel
    })
    this.#updateQueueGauge()
  }

  /** Queues a profile without waiting; false when it was dropped (queue full or shutting down), which is counted. */
  enqueue(series: PreparedSeries): boolean {
    if (this.#queue.offer(series)) {
      this.#updateQueueGauge()
      return true
    }
    this.#drop(this.#queue.isClosed ? 'shutdown' : 'queue_full', [series])
    return false
  }

  /** Counts profiles the writer refused before queueing (invalid labels), so this endpoint's sum still closes. */
  recordInvalid(count: number, error: string): void {
    this.#drop('invalid_labels', count, error, false)
  }

  async run(signal: AbortSignal): Promise<void> {
    if (this.#running) throw new Error(`endpoint ${this.name} is already running`)
    this.#running = true
    const hardStop = this.#hardStop
    // Settled at once: a sender failing before shutdown must not be an unhandled rejection.
    const senders = Promise.allSettled(
      Array.from({ length: Math.max(1, this.#opts.concurrency ?? DEFAULT_CONCURRENCY) }, () => this.#send(hardStop.signal))
    )
    const ticker = Promise.allSettled([this.#flushDropLogPeriodically(signal)])
    await untilAborted(signal)

    this.#queue.close()
    const graceTimer = new AbortController()
    const grace = this.#deps.clock.sleep(this.#opts.drain_grace_ms ?? DEFAULT_DRAIN_GRACE_MS, graceTimer.signal).then(
      () => hardStop.abort(new Error('shutdown grace period ended')),
      // Cancelled because the drain finished first.
      () => undefined
    )
    // allSettled, and the clean-up in `finally`: a sender that failed must not leave the grace timer armed,
    // the ticker unawaited or the queue uncounted.
    let failure: PromiseRejectedResult | undefined
    try {
      failure = (await senders).find((r): r is PromiseRejectedResult => r.status === 'rejected')
    } finally {
      graceTimer.abort()
      await grace
      const [tick] = await ticker
      this.#drop('shutdown', this.#queue.drain())
      this.#updateQueueGauge()
      this.#dropLog.flush()
      if (failure === undefined && tick?.status === 'rejected') failure = tick
    }
    if (failure !== undefined) throw failure.reason
  }

  /**
   * For an endpoint that will never run (its component was reconfigured before it started): refuses new
   * profiles and counts what it holds as dropped(shutdown).
   */
  abandon(): void {
    if (this.#running) throw new Error(`endpoint ${this.name} is running; stop it through its run signal`)
    this.#queue.close()
    this.#drop('shutdown', this.#queue.drain())
    this.#updateQueueGauge()
    this.#dropLog.flush()
  }

  /**
   * Stops this endpoint from writing the queue-length gauge: a newer endpoint with the same name (after a
   * reconfiguration) owns the series now, and this one's final "0" must not overwrite its value.
   */
  releaseQueueGauge(): void {
    this.#ownsQueueGauge = false
  }

  stats(): EndpointStats {
    return {
      sent: this.#counts.sent,
      dropped_queue_full: this.#counts.queue_full,
      dropped_retries_exhausted: this.#counts.retries_exhausted,
      dropped_rejected: this.#counts.rejected,
      dropped_shutdown: this.#counts.shutdown,
      dropped_invalid_labels: this.#counts.invalid_labels,
      queued: this.#queue.length,
      in_flight: this.#inFlight
    }
  }

  /**
   * One sender: takes batches until the queue is closed and empty. Whatever is queued behind a profile (up to
   * MAX_BATCH_SERIES / MAX_BATCH_BYTES) goes in the same request: under load this turns hundreds of requests
   * into a few, at no cost when the queue is short.
   */
  async #send(stop: AbortSignal): Promise<void> {
    for (let batch = await this.#takeBatch(); batch !== undefined; batch = await this.#takeBatch()) {
      this.#updateQueueGauge()
      if (stop.aborted) {
        this.#drop('shutdown', batch)
        continue
      }
      this.#inFlight += batch.length
      try {
        await this.#deliver(batch, stop)
      } finally {
        this.#inFlight -= batch.length
      }
    }
  }

  #takeBatch(): Promise<PreparedSeries[] | undefined> {
    return this.#queue.takeBatch(MAX_BATCH_SERIES, MAX_BATCH_BYTES)
  }

  /**
   * Pushes one request holding `batch` until each of its profiles ends in exactly one counter. A refused
   * batch (a 4xx) is not counted as rejected whole: one bad profile must not take the good ones with it, so
   * each profile of a refused batch is pushed again on its own and only the ones refused alone are rejected.
   */
  async #deliver(batch: readonly PreparedSeries[], stop: AbortSignal): Promise<void> {
    const request = preparePush(batch)
    const outcome = await this.#retrying.push(request.body, stop)
    switch (outcome.kind) {
      case 'ok':
        this.#counts.sent += batch.length
        this.#deps.metrics.sent.inc({ endpoint: this.metricLabel }, batch.length)
        this.#deps.metrics.sentBytes.inc({ endpoint: this.metricLabel }, request.body.byteLength)
        return
      case 'fatal':
        if (batch.length > 1) {
          this.#logger.debug({ profiles: batch.length, err: outcome.error }, 'batch refused, pushing its profiles one by one')
          for (const series of batch) await this.#deliver([series], stop)
          return
        }
        this.#drop('rejected', batch, outcome.error)
        return
      case 'stopped':
        this.#drop('shutdown', batch)
        return
      case 'exhausted':
        this.#drop('retries_exhausted', batch, `failed to push to endpoint ${this.name} (${outcome.attempts} attempts): ${outcome.error}`)
        return
      default: {
        const unexpected: never = outcome
        throw new Error(`unexpected push outcome ${JSON.stringify(unexpected)}`)
      }
    }
  }

  /** Counts dropped profiles (given as the series, for their bytes, or as a number when they have none). */
  #drop(reason: DropReason, dropped: number | readonly PreparedSeries[], error?: string, log = true): void {
    const count = typeof dropped === 'number' ? dropped : dropped.length
    if (count <= 0) return
    this.#counts[reason] += count
    this.#deps.metrics.dropped.inc({ endpoint: this.metricLabel, reason }, count)
    if (typeof dropped !== 'number') this.#deps.metrics.droppedBytes.inc({ endpoint: this.metricLabel, reason }, dropped.reduce((n, d) => n + d.body.byteLength, 0))
    if (log) this.#dropLog.record(reason, count, error)
  }

  #updateQueueGauge(): void {
    if (!this.#ownsQueueGauge) return
    this.#deps.metrics.queueLength.set({ endpoint: this.metricLabel }, this.#queue.length)
  }

  /** Drops that arrive after a burst would otherwise wait for the next drop to be logged. */
  async #flushDropLogPeriodically(signal: AbortSignal): Promise<void> {
    while (await sleepUnlessStopped(this.#deps.clock, DROP_LOG_INTERVAL_MS, signal)) this.#dropLog.flush()
  }
}

function withoutCredentials(url: string): string {
  try {
    const u = new URL(url)
    u.username = ''
    u.password = ''
    return u.toString().replace(/\/+$/, '')
  } catch {
    // Not a URL (arguments validation normally prevents this): the raw text is still the best label.
    return url
  }
}
