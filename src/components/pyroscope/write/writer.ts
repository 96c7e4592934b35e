/**
 * The `receiver` pyroscope.write exports: prepares a profile's labels once, encodes the PushRequest once, and
 * hands the same bytes to every endpoint's queue. `append` never waits on the network, so a slow endpoint
 * delays neither the scrape loops nor the other endpoints.
 *
 * Accounting: a profile refused for its labels is counted on every endpoint as
 * `pyroscope_write_dropped_profiles_total{reason="invalid_labels"}` (so each endpoint's counters sum to the
 * profiles appended) and logged once, aggregated. `append` rejects when no endpoint took the profile (invalid
 * labels, or every queue full); when at least one endpoint queued it, it resolves and the others count their drop.
 */
import type { Clock } from '../../../util/clock.js'
import type { Labels } from '../../../util/labels.js'
import type { Logger } from '../../../util/logger.js'
import type { ProfilesReceiver, RawSample } from '../receiver.js'
import { DropLog } from './drop-log.js'
import type { Endpoint } from './endpoint.js'
import { prepareLabels } from './labels.js'
import { prepareSeries } from './prepared-push.js'

export interface ProfileWriterOptions {
  readonly endpoints: readonly Endpoint[]
  readonly external_labels: Labels
  readonly logger: Logger
  readonly clock: Clock
}

/** Thrown (as the rejection of `append`) for a profile that no endpoint took. */
export class ProfileRefusedError extends Error {
  override readonly name = 'ProfileRefusedError'
  readonly code: 'WRITE_INVALID_LABELS' | 'WRITE_QUEUE_FULL'

  constructor(code: 'WRITE_INVALID_LABELS' | 'WRITE_QUEUE_FULL', message: string) {
    super(message)
    this.code = code
  }
}

export class ProfileWriter implements ProfilesReceiver {
  readonly #endpoints: readonly Endpoint[]
  readonly #externalLabels: Labels
  readonly #invalidLog: DropLog

  constructor(opts: ProfileWriterOptions) {
    this.#endpoints = opts.endpoints
    this.#externalLabels = opts.external_labels
    this.#invalidLog = new DropLog(opts.logger, opts.clock)
  }

  append(labels: Labels, samples: readonly RawSample[]): Promise<void> {
    const prepared = prepareLabels(labels, this.#externalLabels)
    if (!prepared.ok) return this.#refuseInvalid(prepared.reason)
    if (samples.length === 0) return this.#refuseInvalid('profile has no samples')
    const series = prepareSeries(prepared.labels, samples)
    let accepted = 0
    for (const endpoint of this.#endpoints) if (endpoint.enqueue(series)) accepted++
    if (accepted === 0 && this.#endpoints.length > 0) {
      return Promise.reject(new ProfileRefusedError('WRITE_QUEUE_FULL', 'no endpoint could queue the profile (queues full or shutting down)'))
    }
    return Promise.resolve()
  }

  #refuseInvalid(reason: string): Promise<never> {
    for (const endpoint of this.#endpoints) endpoint.recordInvalid(1, reason)
    this.#invalidLog.record('invalid_labels', 1, reason)
    return Promise.reject(new ProfileRefusedError('WRITE_INVALID_LABELS', reason))
  }

  /** Runs every endpoint until the signal aborts and each has drained (or given up on) its queue. */
  async run(signal: AbortSignal): Promise<void> {
    // allSettled: one failing endpoint must not end the run (and get the clients closed) while others still drain.
    const results = await Promise.allSettled(this.#endpoints.map((endpoint) => endpoint.run(signal)))
    this.#invalidLog.flush()
    const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected')
    if (failure !== undefined) throw failure.reason
  }

  /** For a writer that will never run: every endpoint refuses new profiles and counts what it holds as dropped(shutdown). */
  abandon(): void {
    for (const endpoint of this.#endpoints) endpoint.abandon()
    this.#invalidLog.flush()
  }
}
