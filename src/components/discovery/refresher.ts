/**
 * The refresh loop shared by polling discovery components (Prometheus' refresh.Discovery): refresh at once,
 * then every interval; publish the targets when they change; on failure keep the last good targets, record
 * why in the health, log it, and count it.
 */
import type { Counter } from 'prom-client'
import type { Health } from '../../runtime/index.js'
import type { Clock } from '../../util/clock.js'
import { Deadline } from '../../util/deadline.js'
import type { Labels } from '../../util/labels.js'
import type { Logger } from '../../util/logger.js'

export interface RefresherDeps {
  readonly clock: Clock
  readonly logger: Logger
  readonly failures: Counter<'component'>
  readonly componentId: string
  /** Fetches the full target list once. Throws with a clear message on failure. */
  refresh(signal: AbortSignal): Promise<Labels[]>
  /** Receives every successful result (the component compares and exports). */
  publish(targets: Labels[]): void
}

export class Refresher {
  readonly #deps: RefresherDeps
  #intervalMs: number
  #health: Health
  #lastSuccess: number | null = null
  #lastCount = 0

  constructor(deps: RefresherDeps, intervalMs: number) {
    this.#deps = deps
    this.#intervalMs = intervalMs
    this.#health = { state: 'unknown', message: 'not refreshed yet', updatedAt: deps.clock.now() }
  }

  setInterval(ms: number): void {
    this.#intervalMs = ms
  }

  health(): Health {
    return this.#health
  }

  info(): { last_success: string | null; targets: number } {
    return { last_success: this.#lastSuccess === null ? null : new Date(this.#lastSuccess).toISOString(), targets: this.#lastCount }
  }

  /** Refreshes once now (used at start and after an argument change). */
  async refreshNow(signal: AbortSignal): Promise<void> {
    const { clock, logger } = this.#deps
    // A refresh may not outlive the interval: the next one would pile up behind it.
    const deadline = new Deadline(signal, Math.max(1_000, this.#intervalMs), { reason: timeoutReason })
    try {
      const targets = await this.#deps.refresh(deadline.signal)
      this.#lastSuccess = clock.now()
      this.#lastCount = targets.length
      this.#health = { state: 'healthy', message: `${targets.length} targets`, updatedAt: clock.now() }
      this.#deps.publish(targets)
    } catch (err) {
      if (signal.aborted) return
      const message = err instanceof Error ? err.message : String(err)
      this.#deps.failures.inc({ component: this.#deps.componentId })
      this.#health = { state: 'unhealthy', message: `refresh failed, keeping the last good targets (${this.#lastCount}): ${message}`, updatedAt: clock.now() }
      logger.warn({ err: message, kept_targets: this.#lastCount }, 'discovery refresh failed; keeping the last good targets')
    } finally {
      deadline.dispose()
    }
  }

  async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      await this.refreshNow(signal)
      try {
        await this.#deps.clock.sleep(this.#intervalMs, signal)
      } catch {
        return
      }
    }
  }
}

/** The reason AbortSignal.timeout gives, which the refresh failure messages have always shown. */
function timeoutReason(): DOMException {
  return new DOMException('The operation was aborted due to timeout', 'TimeoutError')
}
