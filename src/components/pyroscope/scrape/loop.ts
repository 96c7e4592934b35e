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
 * unhandled; the loop goes on. `run` rejects only when scheduling itself throws.
 */
import type { Clock } from '../../../util/clock.js'
import { nextScrapeAt } from './offset.js'

export interface LoopDeps {
  readonly clock: Clock
  /** Runs one scrape started at the scheduled point `atMs`; resolves when it has been handled. */
  scrape(atMs: number, signal: AbortSignal): Promise<void>
  /** Whether this node should scrape the point `atMs` (always true without clustering). */
  owns(atMs: number): boolean
  /** A point skipped because the previous scrape was still running. */
  onSkip(atMs: number): void
  /** Owned points passed without a scrape because the process was late (event loop stalls). */
  onMissed(count: number): void
  /** A scrape rejected (it should resolve for every expected failure). */
  onError(error: unknown, atMs: number): void
  /**
   * Points up to this one were already scraped by an earlier loop of the same target (a loop stopped and
   * started again by a quick change of ownership): never scrape them twice.
   */
  readonly lastScrapedPoint?: number
}

/** A scrape starting later than this after its point counts as missed, not as on time. */
export const LATE_THRESHOLD_MS = 1_000

export class ScrapeLoop {
  constructor(
    private readonly key: bigint,
    private readonly intervalMs: number,
    private readonly deps: LoopDeps
  ) {}

  async run(signal: AbortSignal): Promise<void> {
    const { clock } = this.deps
    let inFlight: Promise<void> | undefined
    let point = nextScrapeAt(Math.max(clock.now(), (this.deps.lastScrapedPoint ?? Number.NEGATIVE_INFINITY) + 1), this.intervalMs, this.key)
    while (!signal.aborted) {
      try {
        // Timers run on a monotonic clock and may wake a millisecond before the wall-clock point: sleep on
        // until the point itself, so that no scrape ever starts before its scheduled instant.
        do await clock.sleep(point - clock.now(), signal)
        while (clock.now() < point)
      } catch {
        break
      }
      const now = clock.now()
      const lateBy = now - point
      if (lateBy > LATE_THRESHOLD_MS) {
        // Woke up too late for this point (and maybe several): count them, resume at the next one.
        const next = nextScrapeAt(now, this.intervalMs, this.key)
        let missed = 0
        for (let p = point; p < next; p += this.intervalMs) if (this.deps.owns(p)) missed++
        if (missed > 0) this.deps.onMissed(missed)
        point = next
        continue
      }
      if (this.deps.owns(point)) {
        if (inFlight) {
          this.deps.onSkip(point)
        } else {
          inFlight = this.#start(point, signal).finally(() => {
            inFlight = undefined
          })
        }
      }
      point += this.intervalMs
    }
    await inFlight
  }

  /** Starts one scrape; the returned promise always resolves (a rejection goes to `onError`). */
  #start(atMs: number, signal: AbortSignal): Promise<void> {
    let started: Promise<void>
    try {
      started = this.deps.scrape(atMs, signal)
    } catch (error) {
      started = Promise.reject(error)
    }
    return started.then(undefined, (error: unknown) => this.deps.onError(error, atMs))
  }
}
