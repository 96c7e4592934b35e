/**
 * What happens with one scraped point of a loop, as Alloy's delta appender sits between a scrape and its
 * receivers: the delta the check computes (asked for before the request, since the check decodes the
 * profile), then, with the outcome, the target's status and metrics, the delta settled against the pool's
 * budget, the latest profile kept for the UI, and the profile handed to every receiver. One appender serves
 * every loop of a pool; each call gets the loop's entry.
 */
import type { Logger } from '../../../util/logger.js'
import type { LatestProfileSink } from '../../../runtime/index.js'
import type { DeltaInput } from '../../../pprof/index.js'
import type { DeltaStateBudget } from './delta-budget.js'
import { settleDelta } from './delta-step.js'
import type { ScrapeEntry } from './entry.js'
import type { Fanout } from './fanout.js'
import { emptyProfileHint } from './hint.js'
import type { PoolMetrics } from './pool-metrics.js'
import type { ScrapeOutcome } from './scraper.js'

export interface ProfileAppenderDeps {
  readonly componentId: string
  readonly logger: Logger
  readonly metrics: Pick<PoolMetrics, 'scrapes' | 'duration'>
  readonly budget: DeltaStateBudget
  readonly fanout: Fanout
  /** Keeps each loop's last body for the UI (flame graphs); absent where nothing shows them. */
  readonly latest?: LatestProfileSink | undefined
}

/** The delta a scrape's check computes, and the state cap it was given (settling needs both). */
export interface DeltaRequest {
  /** Undefined: not a cumulative type, or the pool's budget is used up (the delta is then skipped). */
  readonly input: DeltaInput | undefined
  readonly capBytes: number
}

export class ProfileAppender {
  readonly #deps: ProfileAppenderDeps

  constructor(deps: ProfileAppenderDeps) {
    this.#deps = deps
  }

  /** What `entry`'s next scrape should compute its delta with; asked just before the request. */
  deltaRequest(entry: ScrapeEntry): DeltaRequest {
    // What the other targets hold is fixed for now; this one's old baseline is replaced.
    const capBytes = this.#deps.budget.capFor(entry)
    return { input: entry.delta !== undefined && capBytes > 0 ? entry.delta.input({ maxStateBytes: capBytes }) : undefined, capBytes }
  }

  /** Handles the outcome of `entry`'s scrape of the point `atMs`, made with `request`. */
  append(entry: ScrapeEntry, atMs: number, outcome: ScrapeOutcome, request: DeltaRequest): void {
    const { target } = entry
    entry.durationSeconds = outcome.durationMs / 1000
    this.#deps.metrics.duration.observe({ component: this.#deps.componentId, profile_type: target.profileType }, outcome.durationMs / 1000)
    if (!outcome.ok) {
      entry.hint = ''
      this.fail(entry, outcome.reason)
      return
    }
    entry.hint = emptyProfileHint(target.profileType, outcome.empty)
    if (!entry.delta) {
      this.#succeed(entry)
      this.#send(entry, atMs, outcome.body)
      return
    }
    const { budget } = this.#deps
    const verdict = settleDelta(entry.delta, outcome.delta, budget.settling(entry, request.capBytes), outcome.body)
    budget.record(entry, entry.delta.stateBytes())
    if (verdict.kind === 'fail') {
      this.fail(entry, verdict.reason)
      return
    }
    this.#succeed(entry)
    if (verdict.kind === 'send') this.#send(entry, atMs, verdict.body)
  }

  /** Marks the target down with `reason`, counts the failure, and logs it (at debug: status shows it). */
  fail(entry: ScrapeEntry, reason: string): void {
    entry.fail(reason)
    this.#deps.metrics.scrapes.inc({ component: this.#deps.componentId, profile_type: entry.target.profileType, result: 'failure' })
    this.#deps.logger.debug({ target: entry.url, err: reason }, 'scrape failed')
  }

  /** Lets go of what `entry` holds: its latest profile, its delta state and its share of the budget. */
  release(entry: ScrapeEntry): void {
    this.#deps.latest?.forget(this.#deps.componentId, entry.id)
    entry.delta?.close()
    this.#deps.budget.record(entry, 0)
  }

  #succeed(entry: ScrapeEntry): void {
    entry.succeed()
    this.#deps.metrics.scrapes.inc({ component: this.#deps.componentId, profile_type: entry.target.profileType, result: 'success' })
  }

  /** The UI's latest profile is the one sent: for a cumulative type, the delta (none for a baseline). */
  #send(entry: ScrapeEntry, atMs: number, body: Uint8Array): void {
    const { target } = entry
    this.#deps.latest?.keep(
      { component: this.#deps.componentId, id: entry.id, job: entry.job, profile_type: target.profileType, url: entry.url, labels: target.forwardLabels, time: new Date(atMs).toISOString() },
      body
    )
    this.#deps.fanout.forward(entry, body)
  }
}
