/**
 * Sends one prepared push request until it succeeds, is refused, is stopped, or runs out of attempts: a
 * wrapper around a single-attempt transport (push-attempt.ts) that waits dskit's backoff between attempts,
 * or longer when the server's Retry-After asks for it (retry.ts, docs/components.md "Push").
 * It counts attempts and their durations; what becomes of the profiles is the caller's accounting.
 */
import type { Clock } from '../../../util/clock.js'
import type { Logger } from '../../../util/logger.js'
import { sleepUnlessStopped } from '../../../util/stoppable-sleep.js'
import type { WriteMetrics } from './metrics.js'
import type { AttemptOutcome } from './push-attempt.js'
import { retryDelay } from './retry.js'

/** One attempt at sending `body`; `stopped` when `stop` cut it. */
export type PushTransport = (body: Uint8Array, stop: AbortSignal) => Promise<AttemptOutcome>

export interface RetryPolicy {
  readonly minBackoffMs: number
  readonly maxBackoffMs: number
  /** Attempts before giving up (Alloy's max_backoff_retries); 0: never give up. */
  readonly maxAttempts: number
}

/** `exhausted`: every attempt allowed failed; `error` is the last one's. */
export type RetriedOutcome =
  | { readonly kind: 'ok' }
  | { readonly kind: 'fatal'; readonly error: string }
  | { readonly kind: 'stopped' }
  | { readonly kind: 'exhausted'; readonly attempts: number; readonly error: string }

export interface RetryingPushDeps {
  readonly transport: PushTransport
  readonly policy: RetryPolicy
  readonly clock: Clock
  /** [0, 1), for backoff jitter; Math.random when undefined. */
  readonly random?: (() => number) | undefined
  readonly logger: Logger
  readonly metrics: Pick<WriteMetrics, 'retries' | 'pushDuration'>
  /** The `endpoint` label of the metrics. */
  readonly metricLabel: string
}

export class RetryingPush {
  readonly #deps: RetryingPushDeps

  constructor(deps: RetryingPushDeps) {
    this.#deps = deps
  }

  /** Sends `body`; each attempt after the first waits its backoff, cut short (as `stopped`) when `stop` aborts. */
  async push(body: Uint8Array, stop: AbortSignal): Promise<RetriedOutcome> {
    const { transport, policy, clock, logger, metrics, metricLabel } = this.#deps
    for (let attempt = 1; ; attempt++) {
      if (attempt > 1) metrics.retries.inc({ endpoint: metricLabel })
      const started = clock.now()
      const outcome = await transport(body, stop)
      metrics.pushDuration.observe({ endpoint: metricLabel }, Math.max(0, clock.now() - started) / 1000)
      if (outcome.kind !== 'retryable') return outcome
      if (policy.maxAttempts > 0 && attempt >= policy.maxAttempts) return { kind: 'exhausted', attempts: attempt, error: outcome.error }
      const delayMs = retryDelay(attempt, policy.minBackoffMs, policy.maxBackoffMs, this.#deps.random ?? Math.random, outcome.retryAfterMs)
      logger.debug({ attempt, delay_ms: delayMs, err: outcome.error }, 'push failed, retrying')
      if (!(await sleepUnlessStopped(clock, delayMs, stop))) return { kind: 'stopped' }
    }
  }
}
