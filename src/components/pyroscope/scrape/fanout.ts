/**
 * Hands each scraped profile to every receiver of a pool without waiting: a slow receiver never delays
 * scraping. A rejection (or a receiver that throws) is counted and logged, and marks the target down (as
 * Alloy), unless a newer scrape has started since. `settled` lets a stopping pool wait for what is on its way.
 */
import type { Counter, Histogram } from 'prom-client'
import type { Logger } from '../../../util/logger.js'
import type { ProfilesReceiver } from '../receiver.js'
import type { ScrapeEntry } from './entry.js'
import { withScopeLabels } from './scope-labels.js'

export interface FanoutDeps {
  readonly componentId: string
  readonly logger: Logger
  readonly scrapes: Counter<'component' | 'profile_type' | 'result'>
  readonly latency: Histogram<'component'>
}

export class Fanout {
  readonly #deps: FanoutDeps
  readonly #pending = new Set<Promise<void>>()
  receivers: readonly ProfilesReceiver[] = []

  constructor(deps: FanoutDeps) {
    this.#deps = deps
  }

  forward(entry: ScrapeEntry, raw: Uint8Array): void {
    for (const receiver of this.receivers) {
      const p = this.#send(receiver, entry, raw).finally(() => this.#pending.delete(p))
      this.#pending.add(p)
    }
  }

  /** Resolves once every profile handed on so far has been taken or refused. */
  async settled(): Promise<void> {
    await Promise.allSettled([...this.#pending])
  }

  async #send(receiver: ProfilesReceiver, entry: ScrapeEntry, raw: Uint8Array): Promise<void> {
    const { componentId: component, latency } = this.#deps
    const scrapeAt = entry.lastScrapeMs
    const started = performance.now()
    try {
      // Awaited inside the try, so that a receiver that throws synchronously is handled like one that rejects.
      await receiver.append(withScopeLabels(entry.target.forwardLabels), [{ raw }])
      latency.observe({ component }, (performance.now() - started) / 1000)
    } catch (err) {
      latency.observe({ component }, (performance.now() - started) / 1000)
      this.#deps.scrapes.inc({ component, profile_type: entry.target.profileType, result: 'forward_failed' })
      this.#deps.logger.debug({ target: entry.url, err: describe(err) }, 'forwarding a profile failed')
      if (entry.lastScrapeMs === scrapeAt) entry.fail(`forwarding failed: ${describe(err)}`)
    }
  }
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}
