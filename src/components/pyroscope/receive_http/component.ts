/**
 * pyroscope.receive_http: serves Pyroscope's push API, checks every request, and hands accepted profiles to
 * `forward_to` and/or stores them under `storage_path` (files + index.jsonl). A request is answered only
 * after every receiver took it, so a push that gets 200 is never lost by this process.
 * Changing the listen address restarts the server; other argument changes apply to the next request.
 *
 * A request is handled whole, so that a refusal does not leave part of it forwarded (a client retries a
 * refused push, and the part would arrive twice):
 * - before anything is forwarded, every series is checked against pyroscope.write's label rules
 *   (`prepareLabels`, without external labels: a series must carry its own service_name); one that fails
 *   refuses the whole request (400);
 * - then every series goes to every `forward_to` receiver; a refusal from one (a full queue: 503) can still
 *   leave earlier series queued elsewhere, which only a retry of a transient failure can duplicate;
 * - only after every forward succeeded are the profiles stored, so a failed forward stores nothing.
 */
import { isAbsolute, join } from 'node:path'
import type { Component, ComponentOptions, Health } from '../../../runtime/index.js'
import { ProfileRefusedError, prepareLabels } from '../write/index.js'
import type { ReceiveHttpArguments } from './arguments.js'
import { ProfileStore } from './store.js'
import { startReceiveServer } from './server.js'
import type { ReceiveServer } from './server.js'
import type { AcceptedSeries } from './validate.js'
import { untilAborted } from '../../../util/signals.js'

export class ReceiveHttpComponent implements Component<ReceiveHttpArguments> {
  readonly #options: ComponentOptions
  #args: ReceiveHttpArguments
  #store: ProfileStore | undefined
  #server: ReceiveServer | undefined
  #restart: AbortController | undefined
  #health: Health
  #received = 0

  constructor(options: ComponentOptions, args: ReceiveHttpArguments) {
    this.#options = options
    this.#args = args
    this.#store = this.#createStore(args)
    this.#health = { state: 'unknown', message: 'not listening yet', updatedAt: options.clock.now() }
  }

  update(args: ReceiveHttpArguments): void {
    const moved = args.listen_address !== this.#args.listen_address || args.listen_port !== this.#args.listen_port
    if (args.storage_path !== this.#args.storage_path) this.#store = this.#createStore(args)
    this.#args = args
    if (moved) this.#restart?.abort()
  }

  async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      const restart = new AbortController()
      this.#restart = restart
      const onStop = (): void => restart.abort()
      signal.addEventListener('abort', onStop, { once: true })
      try {
        await this.#serve(restart.signal)
      } finally {
        signal.removeEventListener('abort', onStop)
      }
    }
    await this.#store?.flush()
  }

  health(): Health {
    return this.#health
  }

  /** The folder profiles are stored in (`storage_path`, absolute), or undefined when nothing is stored. */
  storeDirectory(): string | undefined {
    return this.#store?.dir
  }

  debugInfo(): unknown {
    const a = this.#server?.address
    return { address: a ? `${a.host}:${a.port}` : null, received_profiles: this.#received, storage_path: this.#args.storage_path ?? null }
  }

  async #serve(signal: AbortSignal): Promise<void> {
    const { listen_address: host, listen_port: port } = this.#args
    try {
      await this.#store?.prepare()
      this.#server = await startReceiveServer({
        host,
        port,
        logger: this.#options.logger,
        registry: this.#options.metrics,
        ensureServiceName: true,
        onRequest: (series) => this.#accept(series)
      })
    } catch (err) {
      // Report and retry (the port may be freed); never crash the agent for it.
      const message = `cannot listen on ${host}:${port}: ${(err as Error).message}`
      this.#health = { state: 'unhealthy', message, updatedAt: this.#options.clock.now() }
      this.#options.logger.error({ err: message }, 'receiver cannot listen')
      await this.#options.clock.sleep(5_000, signal).catch(() => undefined)
      return
    }
    const a = this.#server.address
    this.#health = { state: 'healthy', message: `listening on ${a.host}:${a.port}`, updatedAt: this.#options.clock.now() }
    const stored = this.#store ? `; storing them under ${this.#store.dir} (one line per profile in ${join(this.#store.dir, 'index.jsonl')})` : ''
    this.#options.logger.info({ address: `${a.host}:${a.port}` }, `receiving profiles${stored}`)
    await untilAborted(signal)
    await this.#server.close()
    this.#server = undefined
  }

  async #accept(series: readonly AcceptedSeries[]): Promise<void> {
    const store = this.#store
    const targets = this.#args.forward_to
    if (targets.length > 0) {
      for (const [i, s] of series.entries()) {
        const prepared = prepareLabels(s.labels, {})
        if (!prepared.ok) throw new ProfileRefusedError('WRITE_INVALID_LABELS', `series ${i}: ${prepared.reason}`)
      }
      for (const s of series) await Promise.all(targets.map((c) => c.value.append(s.labels, s.samples)))
    }
    // One request, one commit: stored whole or not at all.
    if (store) await store.writeAll(series.flatMap((s) => s.samples.map((sample) => ({ labels: s.labels, raw: sample.raw }))))
    this.#received += series.reduce((n, s) => n + s.samples.length, 0)
  }

  #createStore(args: ReceiveHttpArguments): ProfileStore | undefined {
    if (!args.storage_path) return undefined
    const dir = isAbsolute(args.storage_path) ? args.storage_path : join(process.cwd(), args.storage_path)
    return new ProfileStore(dir, { clock: this.#options.clock })
  }
}
