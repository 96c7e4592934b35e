/**
 * One scrape loop per (target, profile type).
 *
 * Scrapes happen at the fixed wall-clock points `k * interval + phase(key)` (docs/scrape-timing.md), so the same
 * target is scraped at the same instants on every node and a target that changes owner keeps its rhythm.
 * A scrape is started without waiting for the previous one to be handled; if the previous scrape is still
 * running when the next point comes, that point is skipped and counted (a loop never overlaps itself).
 * `owns(point)` is asked at every point, so a cluster hand-off at an announced instant is exact; points
 * passed while the process was stalled count as missed only when this node owned them.
 * A scrape that rejects (a bug, not an expected failure) is reported through `onError` and never left
 * unhandled; the loop goes on. When handling a point itself throws, the loop stops and says so (`onHalted`).
 *
 * A loop does not wait on a timer of its own: it sits in its pool's Schedule (schedule.ts), which calls
 * `due` at each point. Its handlers are shared by all the loops of a pool and get the loop's `subject`, so
 * a waiting loop costs a few small objects, not a timer and a chain of suspended async frames.
 */
import { nextScrapeAt } from './offset.js'
import { Scheduled } from './schedule.js'
import type { Schedule } from './schedule.js'

export interface LoopHandlers<T> {
  /** Runs one scrape started at the scheduled point `atMs`; resolves when it has been handled. */
  scrape(subject: T, atMs: number, signal: AbortSignal): Promise<void>
  /** Whether this node should scrape the point `atMs` (always true without clustering). */
  owns(subject: T, atMs: number): boolean
  /** A point skipped because the previous scrape was still running. */
  onSkip(subject: T, atMs: number): void
  /**
   * Owned points passed without a scrape because the process woke up late (event loop stalls, a starved
   * CPU): `count` of them, the first `lateMs` ago.
   */
  onMissed(subject: T, count: number, lateMs: number): void
  /** A scrape rejected (it should resolve for every expected failure). */
  onError(subject: T, error: unknown, atMs: number): void
  /** Handling a point threw (a bug): the loop has stopped scheduling; a scrape in flight goes on. */
  onHalted(subject: T, error: unknown): void
}

export interface LoopOptions {
  /**
   * Points up to this one were already scraped by an earlier loop of the same target (a loop stopped and
   * started again by a quick change of ownership): never scrape them twice.
   */
  readonly lastScrapedPoint?: number
  /**
   * The first point may lie this far back (at most `lateLimitMs`): a target taken over from a member that
   * failed, whose last point the failed member may have left unscraped (docs/scrape-timing.md). Whether this
   * node owned that point is still asked, as of the point.
   */
  readonly catchUpMs?: number
}

/**
 * How late a point may still be scraped: up to half an interval, after which the next point is nearer and
 * the point counts as missed (a scrape then would bunch up with the next one). Prometheus scrapes late
 * rather than not at all; so does this, within the half interval (docs/scrape-timing.md).
 */
export function lateLimitMs(intervalMs: number): number {
  return intervalMs / 2
}

export type InFlightOnStop = 'abort' | 'finish'

interface Flight {
  readonly stop: AbortController
  done: Promise<void>
}

const SETTLED = Promise.resolve()

export class ScrapeLoop<T> extends Scheduled {
  readonly subject: T
  readonly #key: bigint
  readonly #intervalMs: number
  readonly #handlers: LoopHandlers<T>
  readonly #lastScrapedPoint: number
  readonly #catchUpMs: number
  #schedule: Schedule<ScrapeLoop<T>> | undefined
  #point = Number.NaN
  #inFlight: Flight | undefined
  #stopped = false

  constructor(key: bigint, intervalMs: number, handlers: LoopHandlers<T>, subject: T, options: LoopOptions = {}) {
    super()
    this.#key = key
    this.#intervalMs = intervalMs
    this.#handlers = handlers
    this.subject = subject
    this.#lastScrapedPoint = options.lastScrapedPoint ?? Number.NEGATIVE_INFINITY
    this.#catchUpMs = Math.min(options.catchUpMs ?? 0, lateLimitMs(intervalMs))
  }

  get nextAt(): number {
    return this.#point
  }

  /**
   * Schedules the loop from its first point at or after `nowMs` (or `catchUpMs` before it), and after any
   * point already scraped.
   */
  start(schedule: Schedule<ScrapeLoop<T>>, nowMs: number): void {
    if (this.#stopped || this.#schedule !== undefined) return
    try {
      this.#point = nextScrapeAt(Math.max(nowMs - this.#catchUpMs, this.#lastScrapedPoint + 1), this.#intervalMs, this.#key)
    } catch (error) {
      this.#halt(error)
      return
    }
    this.#schedule = schedule
    schedule.add(this)
  }

  /**
   * Stops scheduling; resolves once the scrape in flight (if any) has been handled. 'abort' aborts that
   * scrape (its target is gone); 'finish' lets it end on its own, bounded by its timeout, so that a graceful
   * stop still hands on a profile its target already answered with (docs/operations.md "Stopping").
   */
  stop(inFlight: InFlightOnStop = 'abort'): Promise<void> {
    this.#stopped = true
    this.#schedule?.remove(this)
    const flight = this.#inFlight
    if (flight === undefined) return SETTLED
    if (inFlight === 'abort') flight.stop.abort()
    return flight.done
  }

  due(now: number): boolean {
    if (this.#stopped) return false
    try {
      this.#handle(now)
      return true
    } catch (error) {
      this.#halt(error)
      return false
    }
  }

  #halt(error: unknown): void {
    this.#stopped = true
    this.#handlers.onHalted(this.subject, error)
  }

  #handle(now: number): void {
    const { subject } = this
    let point = this.#point
    const limit = lateLimitMs(this.#intervalMs)
    if (now - point > limit) {
      // Woke up too late for this point (and maybe several): count them, and go on with the latest point
      // passed if it is still recent enough, else with the next one.
      let resume = nextScrapeAt(now, this.#intervalMs, this.#key)
      if (resume > now && now - (resume - this.#intervalMs) <= limit) resume -= this.#intervalMs
      let missed = 0
      for (let p = point; p < resume; p += this.#intervalMs) if (this.#handlers.owns(subject, p)) missed++
      if (missed > 0) this.#handlers.onMissed(subject, missed, now - point)
      this.#point = resume
      if (resume > now) return
      point = resume
    }
    if (this.#handlers.owns(subject, point)) {
      if (this.#inFlight !== undefined) this.#handlers.onSkip(subject, point)
      else this.#start(point)
    }
    this.#point = point + this.#intervalMs
  }

  /** Starts one scrape; its promise always resolves (a rejection goes to `onError`). */
  #start(atMs: number): void {
    const flight: Flight = { stop: new AbortController(), done: SETTLED }
    let started: Promise<void>
    try {
      started = this.#handlers.scrape(this.subject, atMs, flight.stop.signal)
    } catch (error) {
      started = Promise.reject(error)
    }
    flight.done = started
      .then(undefined, (error: unknown) => this.#handlers.onError(this.subject, error, atMs))
      .finally(() => {
        if (this.#inFlight === flight) this.#inFlight = undefined
      })
    this.#inFlight = flight
  }
}
