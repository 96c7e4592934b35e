/**
 * The pyroscope.write component: a ProfileWriter (one queue per endpoint) behind the exported receiver.
 * An argument change builds a new writer (a "generation"), points the receiver at it, and drains the old one
 * in the background.
 *
 * Lifecycle: an update before `run` abandons the old generation (its clients are closed and what it had
 * queued is counted as dropped(shutdown)); an update once the run signal has aborted is ignored, so nothing
 * is built that no one would stop. A draining generation stops writing the queue-length gauge of an endpoint
 * name the new generation also has. `debugInfo` counts across generations.
 */
import { createHttpClient } from '../../../http/index.js'
import type { HttpClient } from '../../../http/index.js'
import { defaultUserAgent } from '../../../http/index.js'
import type { Component, ComponentOptions } from '../../../runtime/index.js'
import type { Capsule, ValueObject } from '../../../syntax/index.js'
import type { LateBoundReceiver } from '../late-bound-receiver.js'
import type { WriteArguments } from './arguments.js'
import { Endpoint } from './endpoint.js'
import { createWriteMetrics } from './metrics.js'
import type { EndpointStats } from './endpoint.js'
import { ProfileWriter } from './writer.js'
import { untilAborted } from '../../../util/signals.js'

interface Generation {
  readonly writer: ProfileWriter
  readonly endpoints: readonly { name: string; endpoint: Endpoint }[]
  readonly clients: readonly HttpClient[]
  readonly stop: AbortController
  /** Set when the generation is started (or abandoned); resolves once it has stopped and closed its clients. */
  done: Promise<void> | undefined
}

export class WriteComponent implements Component<WriteArguments> {
  readonly #options: ComponentOptions
  readonly #receiver: LateBoundReceiver
  #current: Generation
  /** Replaced generations still draining (or closing their clients). */
  readonly #draining = new Set<Generation>()
  /** Final counters of the endpoints of ended generations, by endpoint name. */
  readonly #past = new Map<string, EndpointStats>()
  #started = false
  #stopped = false

  constructor(options: ComponentOptions, args: WriteArguments, exports: ValueObject) {
    this.#options = options
    this.#receiver = (exports['receiver'] as Capsule<LateBoundReceiver>).value
    this.#current = this.#build(args)
    this.#receiver.bind(this.#current.writer)
  }

  update(args: WriteArguments): void {
    // Shutting down or shut down: a new generation would never be stopped (its timers would keep the process alive).
    if (this.#stopped) return
    const old = this.#current
    this.#current = this.#build(args)
    this.#receiver.bind(this.#current.writer)
    const labels = new Set(this.#current.endpoints.map((e) => e.endpoint.metricLabel))
    for (const e of old.endpoints) if (labels.has(e.endpoint.metricLabel)) e.endpoint.releaseQueueGauge()
    if (this.#started) {
      this.#start(this.#current)
      old.stop.abort()
    } else {
      // Never started: nothing will drain it. What it held is counted, and its connections are released.
      old.writer.abandon()
      old.done = closeClients(old.clients)
    }
    this.#draining.add(old)
    void old.done?.finally(() => {
      this.#draining.delete(old)
      this.#retire(old)
    })
  }

  async run(signal: AbortSignal): Promise<void> {
    if (!this.#stopped && !this.#started) {
      this.#started = true
      this.#start(this.#current)
    }
    await untilAborted(signal)
    this.#stopped = true
    this.#current.stop.abort()
    await Promise.all([this.#current.done, ...[...this.#draining].map((g) => g.done)])
  }

  debugInfo(): { endpoints: { name: string; stats: EndpointStats }[] } {
    return {
      endpoints: this.#current.endpoints.map((e) => {
        const parts = [e.endpoint.stats(), this.#past.get(e.name)]
        for (const g of this.#draining) for (const d of g.endpoints) if (d.name === e.name) parts.push(d.endpoint.stats())
        return { name: e.name, stats: sumStats(parts) }
      })
    }
  }

  #start(g: Generation): void {
    g.done = g.writer
      .run(g.stop.signal)
      .catch((err: unknown) => {
        this.#options.logger.error({ err }, 'writer stopped with an error')
      })
      .finally(() => closeClients(g.clients))
  }

  /** Folds an ended generation's counters into the totals `debugInfo` reports. */
  #retire(g: Generation): void {
    for (const e of g.endpoints) this.#past.set(e.name, sumStats([this.#past.get(e.name), e.endpoint.stats()]))
  }

  #build(args: WriteArguments): Generation {
    const metrics = createWriteMetrics(this.#options.metrics)
    const clients: HttpClient[] = []
    const endpoints = args.endpoints.map((e) => ({
      name: e.name,
      endpoint: new Endpoint(
        {
          url: e.url,
          name: e.name,
          remote_timeout_ms: e.remote_timeout_ms,
          headers: e.headers,
          min_backoff_ms: e.min_backoff_ms,
          max_backoff_ms: e.max_backoff_ms,
          max_backoff_retries: e.max_backoff_retries,
          retry_on_http_429: e.retry_on_http_429,
          queue_capacity: e.queue_size,
          userAgent: defaultUserAgent()
        },
        {
          client: track(clients, createHttpClient(e.http_client)),
          clock: this.#options.clock,
          logger: this.#options.logger,
          metrics
        }
      )
    }))
    const writer = new ProfileWriter({
      endpoints: endpoints.map((e) => e.endpoint),
      external_labels: args.external_labels,
      logger: this.#options.logger,
      clock: this.#options.clock
    })
    return { writer, endpoints, clients, stop: new AbortController(), done: undefined }
  }
}

function closeClients(clients: readonly HttpClient[]): Promise<void> {
  return Promise.allSettled(clients.map((c) => c.close())).then(() => undefined)
}

function sumStats(parts: readonly (EndpointStats | undefined)[]): EndpointStats {
  const total: EndpointStats = {
    sent: 0,
    dropped_queue_full: 0,
    dropped_retries_exhausted: 0,
    dropped_rejected: 0,
    dropped_shutdown: 0,
    dropped_invalid_labels: 0,
    queued: 0,
    in_flight: 0
  }
  for (const p of parts) {
    if (p === undefined) continue
    for (const key of Object.keys(total) as (keyof EndpointStats)[]) total[key] += p[key]
  }
  return total
}

function track<T>(list: T[], item: T): T {
  list.push(item)
  return item
}
