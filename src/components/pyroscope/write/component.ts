/**
 * The pyroscope.write component: a ProfileWriter (one queue per endpoint) behind the exported receiver.
 * An argument change builds a new writer, points the receiver at it, and drains the old one in the background.
 */
import { createHttpClient } from '../../../http/index.js'
import type { HttpClient } from '../../../http/types.js'
import { defaultUserAgent } from '../../../http/user-agent.js'
import type { Component, ComponentOptions } from '../../../runtime/component.js'
import type { Capsule, ValueObject } from '../../../syntax/value.js'
import type { LateBoundReceiver } from '../late-bound-receiver.js'
import type { WriteArguments } from './arguments.js'
import { Endpoint } from './endpoint.js'
import { createWriteMetrics } from './metrics.js'
import type { EndpointStats } from './endpoint.js'
import { ProfileWriter } from './writer.js'

interface Generation {
  readonly writer: ProfileWriter
  readonly endpoints: readonly { name: string; endpoint: Endpoint }[]
  readonly clients: readonly HttpClient[]
  readonly stop: AbortController
  done: Promise<void> | undefined
}

export class WriteComponent implements Component<WriteArguments> {
  readonly #receiver: LateBoundReceiver
  #current: Generation
  readonly #draining = new Set<Promise<void>>()

  constructor(private readonly options: ComponentOptions, args: WriteArguments, exports: ValueObject) {
    this.#receiver = (exports['receiver'] as Capsule<LateBoundReceiver>).value
    this.#current = this.#build(args)
    this.#receiver.bind(this.#current.writer)
  }

  update(args: WriteArguments): void {
    const old = this.#current
    this.#current = this.#build(args)
    this.#receiver.bind(this.#current.writer)
    if (old.done) {
      this.#start(this.#current)
      old.stop.abort()
      const drained = old.done.finally(() => this.#draining.delete(drained))
      this.#draining.add(drained)
    }
  }

  async run(signal: AbortSignal): Promise<void> {
    this.#start(this.#current)
    await new Promise<void>((resolve) => {
      if (signal.aborted) resolve()
      else signal.addEventListener('abort', () => resolve(), { once: true })
    })
    this.#current.stop.abort()
    await Promise.all([this.#current.done, ...this.#draining])
  }

  debugInfo(): { endpoints: { name: string; stats: EndpointStats }[] } {
    return { endpoints: this.#current.endpoints.map((e) => ({ name: e.name, stats: e.endpoint.stats() })) }
  }

  #start(g: Generation): void {
    g.done = g.writer
      .run(g.stop.signal)
      .catch((err: unknown) => {
        this.options.logger.error({ err }, 'writer stopped with an error')
      })
      .finally(() => Promise.allSettled(g.clients.map((c) => c.close())))
      .then(() => undefined)
  }

  #build(args: WriteArguments): Generation {
    const metrics = createWriteMetrics(this.options.metrics)
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
          clock: this.options.clock,
          logger: this.options.logger,
          metrics
        }
      )
    }))
    const writer = new ProfileWriter({
      endpoints: endpoints.map((e) => e.endpoint),
      external_labels: args.external_labels,
      logger: this.options.logger,
      clock: this.options.clock
    })
    return { writer, endpoints, clients, stop: new AbortController(), done: undefined }
  }
}

function track<T>(list: T[], item: T): T {
  list.push(item)
  return item
}
