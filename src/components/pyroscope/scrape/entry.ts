/**
 * One (target, profile type) of a scrape pool: its target, its loop and delta state, and what its status
 * shows. Instants are kept as epoch milliseconds and formatted only when the status is read: with 10,000
 * loops, two date strings made at every scrape (and kept until the next) were a steady stream of garbage
 * old enough to be promoted out of V8's young generation.
 */
import { redactUrl } from '../../../http/index.js'
import type { DeltaComputer } from '../../../pprof/index.js'
import type { ScrapeLoop } from './loop.js'
import type { TargetHealth, TargetStatus } from './status.js'
import type { ScrapeTarget } from './targets.js'

export class ScrapeEntry {
  /** The scrape loop's id (one target and profile type). */
  readonly id: string
  readonly target: ScrapeTarget
  readonly delta: DeltaComputer | undefined
  /** The scrape URL with credentials redacted (the same string when it has none). */
  readonly url: string
  /** Set while the pool runs. */
  loop: ScrapeLoop<ScrapeEntry> | undefined
  /** The delta state bytes this entry adds to the pool's total. */
  deltaBytes = 0
  health: TargetHealth = 'unknown'
  lastError = ''
  /** The scheduled point of the last scrape started, epoch ms; NaN before the first. */
  lastScrapeMs = Number.NaN
  /** The point of the last scrape that succeeded; NaN before the first. */
  lastSuccessMs = Number.NaN
  durationSeconds: number | null = null
  /** Points skipped because the previous scrape was still running. */
  skipped = 0
  hint = ''

  constructor(id: string, target: ScrapeTarget, delta: DeltaComputer | undefined) {
    this.id = id
    this.target = target
    this.delta = delta
    this.url = redactUrl(target.url)
  }

  get job(): string {
    return this.target.forwardLabels['job'] ?? ''
  }

  succeed(): void {
    this.health = 'up'
    this.lastError = ''
    this.lastSuccessMs = this.lastScrapeMs
  }

  fail(reason: string): void {
    this.health = 'down'
    this.lastError = reason
  }

  status(component: string): TargetStatus {
    const { target } = this
    return {
      id: this.id,
      component,
      job: this.job,
      profile_type: target.profileType,
      url: this.url,
      health: this.health,
      last_error: this.lastError,
      last_scrape: isoOrNull(this.lastScrapeMs),
      last_success: isoOrNull(this.lastSuccessMs),
      duration_seconds: this.durationSeconds,
      labels: target.forwardLabels,
      skipped: this.skipped,
      hint: this.hint
    }
  }
}

function isoOrNull(ms: number): string | null {
  return Number.isNaN(ms) ? null : new Date(ms).toISOString()
}
