/**
 * The refresh loop shared by polling discovery components (Prometheus' refresh.Discovery): refresh at once,
 * then every interval; publish the targets when they change; on failure keep the last good targets, record
 * why in the health, log it, and count it.
 */
import type { Counter } from 'prom-client'
import type { Health } from '../../runtime/component.js'
import type { Clock } from '../../util/clock.js'
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
  #health: Health
  #lastSuccess: number | null = null
  #lastCount = 0

  constructor(
    private readonly deps: RefresherDeps,
    private intervalMs: number
  ) {
    this.#health = { state: 'unknown', message: 'not refreshed yet', updatedAt: deps.clock.now() }
  }

  setInterval(ms: number): void {
    this.intervalMs = ms
  }

  health(): Health {
    return this.#health
  }

  info(): { last_success: string | null; targets: number } {
    return { last_success: this.#lastSuccess === null ? null : new Date(this.#lastSuccess).toISOString(), targets: this.#lastCount }
  }

  /** Refreshes once now (used at start and after an argument change). */
  async refreshNow(signal: AbortSignal): Promise<void> {
    const { clock, logger } = this.deps
    try {
      // A refresh may not outlive the interval: the next one would pile up behind it.
      const deadline = AbortSignal.timeout(Math.max(1_000, this.intervalMs))
      const targets = await this.deps.refresh(anySignal(signal, deadline))
      this.#lastSuccess = clock.now()
      this.#lastCount = targets.length
      this.#health = { state: 'healthy', message: `${targets.length} targets`, updatedAt: clock.now() }
      this.deps.publish(targets)
    } catch (err) {
      if (signal.aborted) return
      const message = err instanceof Error ? err.message : String(err)
      this.deps.failures.inc({ component: this.deps.componentId })
      this.#health = { state: 'unhealthy', message: `refresh failed, keeping the last good targets (${this.#lastCount}): ${message}`, updatedAt: clock.now() }
      logger.warn({ err: message, kept_targets: this.#lastCount }, 'discovery refresh failed; keeping the last good targets')
    }
  }

  async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      await this.refreshNow(signal)
      try {
        await this.deps.clock.sleep(this.intervalMs, signal)
      } catch {
        return
      }
    }
  }
}

/** Aborts when either signal does; the listener is removed once the combined signal fires. */
function anySignal(a: AbortSignal, b: AbortSignal): AbortSignal {
  const c = new AbortController()
  const onA = (): void => c.abort(a.reason)
  const onB = (): void => c.abort(b.reason)
  if (a.aborted) onA()
  else if (b.aborted) onB()
  else {
    a.addEventListener('abort', onA, { once: true })
    b.addEventListener('abort', onB, { once: true })
    c.signal.addEventListener('abort', () => {
      a.removeEventListener('abort', onA)
      b.removeEventListener('abort', onB)
    }, { once: true })
  }
  return c.signal
}
