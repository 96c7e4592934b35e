/**
 * Where every scraped profile went. Pure: no I/O, no clock.
 *
 * scraped = 200 answers the targets gave (each is exactly one profile: only non-delta types are scraped);
 * stored = the receiver's index lines; dropped = `pyroscope_write_dropped_profiles_total` summed over every
 * agent process (a graceful stop's final value, a killed process's last known one).
 *
 * A process killed with SIGKILL takes its queue and its pushes in flight with it. That loss is not hidden in
 * "dropped" (nothing counted it); it is reported on its own, bounded per killed process by what it had
 * scraped but not yet reported as sent or dropped at its last metrics poll (its queue at that poll, what was
 * in flight, and whatever it scraped after the poll). Only the part of the gap beyond that bound is
 * unaccounted; a negative gap (more stored than scraped − dropped: a profile stored twice) is unaccounted too.
 */
import type { LoggedScrape } from './flaky-targets.js'

export type ProcessEnd = 'running' | 'sigterm' | 'sigkill' | 'crashed'

/** One agent process's life (a restart under the same name is a new incarnation). */
export interface Incarnation {
  readonly name: string
  readonly startedAt: number
  endedAt: number | undefined
  end: ProcessEnd
  /** Last values read from its /metrics (or its logs, for a graceful stop's final drops). */
  sent: number
  dropped: number
  queued: number
  /** Scrape points the process itself counted as missed (it woke up over half an interval late) or skipped. */
  missed: number
  skipped: number
  lastPollAt: number | undefined
}

export interface IncarnationFigures {
  readonly name: string
  readonly end: ProcessEnd
  readonly startedAt: string
  readonly endedAt: string | null
  readonly scraped: number
  readonly sent: number
  readonly dropped: number
  readonly queuedAtLastPoll: number
  readonly missed: number
  readonly skipped: number
  /** kill -9 only: profiles that may have died with the process (see the module comment). */
  readonly lossBound: number
  readonly scrapedAfterLastPoll: number
}

export interface Accounting {
  readonly scraped: number
  /** Requests the targets answered with an error (503 while flapping): failed scrapes, no profile. */
  readonly failed: number
  readonly stored: number
  readonly dropped: number
  /** Sum of the agents' own `sent` counters (a killed process's last poll: a lower bound). */
  readonly sentByAgents: number
  /** scraped − stored − dropped. */
  readonly gap: number
  /** Upper bound of what kill -9'd processes may have lost in flight or queued. */
  readonly killLossBound: number
  /** The part of the gap explained by those kills (0 ≤ it ≤ the bound). */
  readonly killLoss: number
  /** gap − killLoss: must be 0. */
  readonly unaccounted: number
  readonly byType: Record<string, { scraped: number; stored: number }>
  readonly incarnations: IncarnationFigures[]
}

export function account(
  requests: readonly LoggedScrape[],
  storedNames: readonly string[],
  incarnations: readonly Incarnation[],
  typeOfPath: (path: string) => string
): Accounting {
  const ok = requests.filter((r) => r.status === 200)
  const figures = incarnations.map((inc) => figuresOf(inc, ok))
  const scraped = ok.length
  const stored = storedNames.length
  const dropped = sum(incarnations.map((i) => i.dropped))
  const gap = scraped - stored - dropped
  const killLossBound = sum(figures.map((f) => f.lossBound))
  const killLoss = Math.min(Math.max(gap, 0), killLossBound)
  const byType: Record<string, { scraped: number; stored: number }> = {}
  const entry = (type: string): { scraped: number; stored: number } => (byType[type] ??= { scraped: 0, stored: 0 })
  for (const r of ok) entry(typeOfPath(r.path)).scraped++
  for (const name of storedNames) entry(name).stored++
  return {
    scraped,
    failed: requests.length - ok.length,
    stored,
    dropped,
    sentByAgents: sum(incarnations.map((i) => i.sent)),
    gap,
    killLossBound,
    killLoss,
    unaccounted: gap - killLoss,
    byType,
    incarnations: figures
  }
}

function figuresOf(inc: Incarnation, ok: readonly LoggedScrape[]): IncarnationFigures {
  const mine = ok.filter((r) => r.node === inc.name && r.at >= inc.startedAt && (inc.endedAt === undefined || r.at <= inc.endedAt))
  const afterPoll = inc.lastPollAt === undefined ? mine.length : mine.filter((r) => r.at > (inc.lastPollAt as number)).length
  const killed = inc.end === 'sigkill' || inc.end === 'crashed'
  return {
    name: inc.name,
    end: inc.end,
    startedAt: new Date(inc.startedAt).toISOString(),
    endedAt: inc.endedAt === undefined ? null : new Date(inc.endedAt).toISOString(),
    scraped: mine.length,
    sent: inc.sent,
    dropped: inc.dropped,
    queuedAtLastPoll: inc.queued,
    missed: inc.missed,
    skipped: inc.skipped,
    lossBound: killed ? Math.max(0, mine.length - inc.sent - inc.dropped) : 0,
    scrapedAfterLastPoll: afterPoll
  }
}

function sum(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0)
}
