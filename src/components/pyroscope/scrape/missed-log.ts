/**
 * Aggregated warnings for scrape points missed because the process woke up late (a blocked event loop, a
 * starved CPU): the first of a quiet period is logged at once, later ones summed into one line at most every
 * `intervalMs`. The exact count is `shardscope_scrapes_total{result="missed"}`; this says it happens, and
 * how late the process was.
 */
import type { Clock } from '../../../util/clock.js'
import type { Logger } from '../../../util/logger.js'

export const MISSED_LOG_INTERVAL_MS = 10_000

export class MissedPointsLog {
  readonly #logger: Logger
  readonly #clock: Clock
  readonly #intervalMs: number
  #count = 0
  #maxLateMs = 0
  #lastLogAt = Number.NEGATIVE_INFINITY

  constructor(logger: Logger, clock: Clock, intervalMs = MISSED_LOG_INTERVAL_MS) {
    this.#logger = logger
    this.#clock = clock
    this.#intervalMs = intervalMs
  }

  record(count: number, lateMs: number): void {
    this.#count += count
    this.#maxLateMs = Math.max(this.#maxLateMs, lateMs)
    const now = this.#clock.now()
    if (now - this.#lastLogAt < this.#intervalMs) return
    this.#lastLogAt = now
    this.#logger.warn(
      { missed: this.#count, late_ms: Math.round(this.#maxLateMs) },
      `${this.#count} scrape point(s) missed: the agent woke up too late for them (a blocked event loop or too little CPU)`
    )
    this.#count = 0
    this.#maxLateMs = 0
  }
}
