/**
 * Per (target, type) interval accounting, seen from the targets. Pure: no I/O, no clock.
 *
 * Each series is scraped at `k * interval + phase` (docs/scrape-timing.md, phase = key mod interval), so every request a
 * target logged belongs to one scrape point. A point that got exactly one request is right; zero is a missed
 * scrape, two or more a double scrape. A failed scrape (503 while a target flaps) is still a request: the
 * agent did its job, so it counts as one, never as a zero.
 *
 * Zero/double points are *expected* inside excused windows (after a kill -9, until the failure timeout plus
 * one interval has passed: the dead node's share is unowned until the survivors drop it), else *unexpected*.
 */
import { phaseMs, scrapePointsBetween } from '../../src/components/pyroscope/scrape/offset.js'
import type { LoggedScrape } from './flaky-targets.js'

export interface SeriesSpec {
  readonly target: string
  /** Profile path below the target's prefix, as the target logs it (`/debug/pprof/goroutine`, `/custom`). */
  readonly path: string
  /** The target's ring key: its phase is `key mod interval`. */
  readonly key: bigint
}

/** A time span in which zero or double points are explained (by `reason`). */
export interface ExcusedWindow {
  readonly fromMs: number
  readonly toMs: number
  readonly reason: string
}

export interface PointCounts {
  one: number
  zero: number
  double: number
}

export interface IntervalReport {
  readonly points: number
  readonly one: number
  readonly zero: { readonly expected: number; readonly unexpected: number }
  readonly double: { readonly expected: number; readonly unexpected: number }
  /** Per series (`tNNN/path`): how many points had one, zero or two-plus requests. */
  readonly perSeries: Record<string, PointCounts>
  /** Every zero/double point, at most `detailLimit` of each kind, for the readable report. */
  readonly unexpectedPoints: string[]
  readonly expectedPoints: string[]
}

/**
 * The point a request belongs to. Requests leave at their point or a little later (the loop scrapes up to
 * one second late before it counts a point as missed), so the point is searched in [at − ¾·interval, at + ¼·interval].
 */
export function pointOf(atMs: number, phase: number, intervalMs: number): number {
  return phase + intervalMs * Math.floor((atMs - phase + intervalMs / 4) / intervalMs)
}

export function seriesId(target: string, path: string): string {
  return `${target}${path}`
}

export function classifyIntervals(
  series: readonly SeriesSpec[],
  requests: readonly LoggedScrape[],
  intervalMs: number,
  window: { readonly fromMs: number; readonly toMs: number },
  excused: readonly ExcusedWindow[],
  detailLimit = 40
): IntervalReport {
  const byPoint = bucketByPoint(series, requests, intervalMs)
  const perSeries: Record<string, PointCounts> = {}
  const unexpectedPoints: string[] = []
  const expectedPoints: string[] = []
  let points = 0
  let one = 0
  const zero = { expected: 0, unexpected: 0 }
  const double = { expected: 0, unexpected: 0 }
  for (const s of series) {
    const id = seriesId(s.target, s.path)
    const counts: PointCounts = { one: 0, zero: 0, double: 0 }
    perSeries[id] = counts
    for (const point of scrapePointsBetween(window.fromMs, window.toMs, intervalMs, s.key)) {
      points++
      const got = byPoint.get(id)?.get(point) ?? []
      if (got.length === 1) {
        counts.one++
        one++
        continue
      }
      const kind = got.length === 0 ? 'zero' : 'double'
      counts[kind]++
      const excuse = excused.find((w) => point >= w.fromMs && point <= w.toMs)
      const tally = kind === 'zero' ? zero : double
      const line = `${id} @ ${clock(point)}: ${got.length} request(s)${got.length > 0 ? ` by ${got.map((r) => r.node).join('+')}` : ''}${neighbours(byPoint.get(id), point, intervalMs)}`
      if (excuse) {
        tally.expected++
        if (expectedPoints.length < detailLimit) expectedPoints.push(`${line} (${excuse.reason})`)
      } else {
        tally.unexpected++
        if (unexpectedPoints.length < detailLimit) unexpectedPoints.push(line)
      }
    }
  }
  return { points, one, zero, double, perSeries, unexpectedPoints, expectedPoints }
}

/** series id → scrape point → the requests assigned to it. */
function bucketByPoint(series: readonly SeriesSpec[], requests: readonly LoggedScrape[], intervalMs: number): Map<string, Map<number, LoggedScrape[]>> {
  const phases = new Map(series.map((s) => [seriesId(s.target, s.path), phaseMs(s.key, intervalMs)]))
  const out = new Map<string, Map<number, LoggedScrape[]>>()
  for (const r of requests) {
    const id = seriesId(r.target, r.path)
    const phase = phases.get(id)
    if (phase === undefined) continue
    const point = pointOf(r.at, phase, intervalMs)
    let points = out.get(id)
    if (!points) out.set(id, (points = new Map()))
    const list = points.get(point)
    if (list) list.push(r)
    else points.set(point, [r])
  }
  return out
}

/** Who scraped the points before and after (the likely owner of a missed point). */
function neighbours(points: Map<number, LoggedScrape[]> | undefined, point: number, intervalMs: number): string {
  const by = (at: number): string => (points?.get(at) ?? []).map((r) => r.node).join('+') || 'nobody'
  return `; before by ${by(point - intervalMs)}, after by ${by(point + intervalMs)}`
}

/** hh:mm:ss.mmm (UTC), as the agents' JSON logs print times. */
export function clock(ms: number): string {
  return new Date(ms).toISOString().slice(11, 23)
}
