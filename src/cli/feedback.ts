/**
 * What an operator sees at info level while the agent runs (docs/operations.md):
 * - each target's first success and every change of its health, from the status the UI shows, checked every
 *   few seconds; when more than a few change in one check, one summary line instead (counts and the most
 *   common errors);
 * - every `summaryIntervalMs`, one line: targets up/down/unknown and, per endpoint, profiles sent and
 *   dropped since the previous line.
 */
import type { Registry } from 'prom-client'
import type { TargetView } from '../server/index.js'
import type { Logger } from '../util/logger.js'

export const CHECK_INTERVAL_MS = 2_000
/** More changes than this in one check are summarised in one line. */
export const MAX_CHANGE_LINES = 5

export interface FeedbackOptions {
  readonly targets: () => readonly TargetView[]
  readonly metrics: Registry
  readonly logger: Logger
  readonly summaryIntervalMs: number
}

interface Change {
  readonly target: TargetView
  readonly from: string | undefined
  readonly first: boolean
}

/** Tracks target health between checks; pure apart from the logger it writes to. */
export class HealthTracker {
  readonly #health = new Map<string, string>()
  readonly #succeeded = new Set<string>()

  constructor(readonly logger: Logger) {}

  check(targets: readonly TargetView[]): Change[] {
    const changes: Change[] = []
    const seen = new Set<string>()
    for (const t of targets) {
      const key = `${t.component}\u0000${t.profile_type}\u0000${t.url}`
      seen.add(key)
      const before = this.#health.get(key)
      this.#health.set(key, t.health)
      if (t.health === 'unknown' || t.health === before) continue
      const first = t.health === 'up' && !this.#succeeded.has(key)
      if (t.health === 'up') this.#succeeded.add(key)
      changes.push({ target: t, from: before, first })
    }
    // Targets that went away are forgotten, so the map stays as large as the target list.
    for (const key of this.#health.keys()) {
      if (!seen.has(key)) {
        this.#health.delete(key)
        this.#succeeded.delete(key)
      }
    }
    this.#log(changes)
    return changes
  }

  #log(changes: readonly Change[]): void {
    if (changes.length <= MAX_CHANGE_LINES) {
      for (const c of changes) {
        const t = c.target
        const fields = { component: t.component, profile_type: t.profile_type, url: t.url }
        if (t.health === 'up') this.logger.info(fields, c.first ? 'target up: first successful scrape' : 'target up again')
        else this.logger.info({ ...fields, error: t.last_error }, c.from === undefined || c.from === 'unknown' ? 'target down: first scrape failed' : 'target down')
      }
      return
    }
    const up = changes.filter((c) => c.target.health === 'up')
    const errors = new Map<string, number>()
    for (const c of changes) if (c.target.health !== 'up') errors.set(c.target.last_error, (errors.get(c.target.last_error) ?? 0) + 1)
    const common = [...errors].sort((a, b) => b[1] - a[1]).slice(0, 3).map(([e, n]) => `${n} × ${e}`)
    this.logger.info(
      { up: up.length, down: changes.length - up.length, first_successes: up.filter((c) => c.first).length, errors: common.join('; ') },
      `${changes.length} targets changed health: ${up.length} up, ${changes.length - up.length} down`
    )
  }
}

/** Sums a counter's values per `endpoint` label (prom-client keeps them in the registry). */
async function perEndpoint(metrics: Registry, name: string): Promise<Map<string, number>> {
  const out = new Map<string, number>()
  const metric = metrics.getSingleMetric(name)
  if (!metric) return out
  for (const v of (await metric.get()).values) {
    const endpoint = String(v.labels['endpoint'] ?? '')
    out.set(endpoint, (out.get(endpoint) ?? 0) + v.value)
  }
  return out
}

/** Runs the checks and the periodic summary until `signal` aborts. */
export function startFeedback(opts: FeedbackOptions, signal: AbortSignal): void {
  const tracker = new HealthTracker(opts.logger)
  const check = setInterval(() => tracker.check(opts.targets()), CHECK_INTERVAL_MS)
  let previous = { sent: new Map<string, number>(), dropped: new Map<string, number>() }
  const summarise = async (): Promise<void> => {
    const targets = opts.targets()
    const count = (h: string) => targets.filter((t) => t.health === h).length
    const sent = await perEndpoint(opts.metrics, 'pyroscope_write_sent_profiles_total')
    const dropped = await perEndpoint(opts.metrics, 'pyroscope_write_dropped_profiles_total')
    const endpoints = [...new Set([...sent.keys(), ...dropped.keys()])].sort()
    const parts = endpoints.map((e) => {
      const s = (sent.get(e) ?? 0) - (previous.sent.get(e) ?? 0)
      const d = (dropped.get(e) ?? 0) - (previous.dropped.get(e) ?? 0)
      return `${e} sent ${s} dropped ${d}`
    })
    previous = { sent, dropped }
    opts.logger.info(
      { targets_up: count('up'), targets_down: count('down'), targets_unknown: count('unknown') },
      `summary: ${count('up')} of ${targets.length} targets up${parts.length > 0 ? `; ${parts.join('; ')}` : ''} (last ${opts.summaryIntervalMs / 1000}s)`
    )
  }
  const summary = opts.summaryIntervalMs > 0 ? setInterval(() => void summarise().catch(() => undefined), opts.summaryIntervalMs) : undefined
  check.unref()
  summary?.unref()
  signal.addEventListener('abort', () => {
    clearInterval(check)
    clearInterval(summary)
  }, { once: true })
}
