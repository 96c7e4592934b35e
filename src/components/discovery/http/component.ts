/** discovery.http: exports `targets` from a Prometheus HTTP SD endpoint, refreshed every refresh_interval. */
import { createHttpClient, redactUrl } from '../../../http/index.js'
import type { HttpClient } from '../../../http/index.js'
import { counter } from '../../../metrics/index.js'
import type { Component, ComponentOptions, Health } from '../../../runtime/index.js'
import { makeObject } from '../../../syntax/index.js'
import type { Labels } from '../../../util/labels.js'
import { Refresher } from '../refresher.js'
import type { DiscoveryHttpArguments } from './arguments.js'
import { refreshHttpSd } from './refresh.js'

export class DiscoveryHttpComponent implements Component<DiscoveryHttpArguments> {
  readonly #options: ComponentOptions
  #args: DiscoveryHttpArguments
  #client: HttpClient
  readonly #refresher: Refresher
  #published: string | undefined
  #kick: AbortController | undefined

  constructor(options: ComponentOptions, args: DiscoveryHttpArguments) {
    this.#options = options
    this.#args = args
    this.#client = createHttpClient(args.http_client)
    this.#refresher = new Refresher(
      {
        clock: options.clock,
        logger: options.logger,
        componentId: options.id,
        failures: counter(options.metrics, 'shardscope_discovery_refresh_failures_total', 'Failed discovery refreshes.', ['component']),
        refresh: (signal) => refreshHttpSd(this.#client, this.#args.url, signal, this.#args.refresh_interval_ms),
        publish: (targets) => this.#publish(targets)
      },
      args.refresh_interval_ms
    )
  }

  update(args: DiscoveryHttpArguments): void {
    const old = this.#client
    this.#args = args
    this.#client = createHttpClient(args.http_client)
    void old.close()
    this.#refresher.setInterval(args.refresh_interval_ms)
    // Restart the refresh cycle so the new URL or options take effect at once.
    this.#kick?.abort()
  }

  async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      this.#kick = new AbortController()
      const cycle = this.#kick
      const onStop = (): void => cycle.abort()
      signal.addEventListener('abort', onStop, { once: true })
      try {
        await this.#refresher.run(cycle.signal)
      } finally {
        signal.removeEventListener('abort', onStop)
      }
    }
    await this.#client.close()
  }

  health(): Health {
    return this.#refresher.health()
  }

  debugInfo(): unknown {
    return { url: redactUrl(this.#args.url), ...this.#refresher.info() }
  }

  /** Exports only when the list changed, so dependants are re-evaluated only then. */
  #publish(targets: Labels[]): void {
    const key = JSON.stringify(targets)
    if (key === this.#published) return
    this.#published = key
    this.#options.onStateChange(makeObject([['targets', targets]]))
  }
}
