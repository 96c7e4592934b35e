/**
 * The set of running scrape loops of one pyroscope.scrape component, reconciled from its arguments.
 *
 * `sync(args)` expands the targets (pure), keeps only those this node owns, and reconciles: loops for
 * (target, type) pairs that appeared start, those that vanished stop at once (their delta state and status
 * are freed), unchanged ones keep running. A change of interval, timeout, body limit or HTTP client options
 * restarts every loop (as Alloy does); a target whose ring key changed while its id stayed (a non-public
 * `__` label changed) is restarted, since its loop's phase and ownership questions depend on the key.
 * Everything that can fail in `sync` (the new HTTP client, expansion, the plan) runs before anything is
 * changed, so a failed update leaves the pool as it was.
 * What happens with each scraped profile (status, delta, latest profile, fan-out to the receivers without
 * waiting) is the ProfileAppender's. Targets dropped by expansion are kept with their reason for the
 * status, and logged once. Delta state is bounded per target (DeltaComputer) and in total per pool
 * (DeltaStateBudget). The loops wait in one Schedule (schedule.ts) and share one set of handlers, which get
 * the loop's entry.
 */
import type { Registry } from 'prom-client'
import type { Ownership, OwnershipPlan } from '../../../cluster/index.js'
import type { HttpClient, HttpClientOptions } from '../../../http/index.js'
import { createHttpClient } from '../../../http/index.js'
import { DeltaComputer, deltaValueTypesFor } from '../../../pprof/index.js'
import type { LatestProfileSink } from '../../../runtime/index.js'
import type { Clock } from '../../../util/clock.js'
import type { KeyHasher } from '../../../util/label-hash.js'
import { formatLabels } from '../../../util/labels.js'
import { firstIndexAtOrAfter } from '../../../util/sorted-keys.js'
import type { Labels } from '../../../util/labels.js'
import type { Logger } from '../../../util/logger.js'
import { untilAborted } from '../../../util/signals.js'
import { needsLoopRestart, toExpansionConfig } from './arguments.js'
import type { ScrapeArguments } from './arguments.js'
import { DeltaStateBudget, MAX_POOL_DELTA_STATE_BYTES } from './delta-budget.js'
import { ScrapeEntry } from './entry.js'
import { Fanout } from './fanout.js'
import { ScrapeLoop, lateLimitMs } from './loop.js'
import type { InFlightOnStop, LoopHandlers } from './loop.js'
import { MissedPointsLog } from './missed-log.js'
import { LOCAL_PLAN } from './ownership.js'
import { poolMetrics } from './pool-metrics.js'
import type { PoolMetrics } from './pool-metrics.js'
import { ProfileAppender } from './profile-appender.js'
import { Schedule } from './schedule.js'
import { scrapeOnce } from './scraper.js'
import type { ScrapeOutcome } from './scraper.js'
import type { TargetStatus } from './status.js'
import { expandTargets } from './targets.js'
import type { DroppedTarget, ScrapeTarget } from './targets.js'

export interface PoolDeps {
  readonly componentId: string
  readonly clock: Clock
  readonly logger: Logger
  readonly metrics: Registry
  readonly hasher: KeyHasher
  readonly ownership: Ownership
  /** Injected for tests; production builds one client per HTTP options from the shared factory. */
  readonly createClient?: (options: HttpClientOptions) => HttpClient
  /** Total delta state budget of the pool; MAX_POOL_DELTA_STATE_BYTES unless a test sets a small one. */
  readonly maxDeltaStateBytes?: number
  /** Keeps each loop's last body for the UI (flame graphs); absent in tests that need none. */
  readonly latest?: LatestProfileSink | undefined
}

export class ScrapePool {
  readonly #deps: PoolDeps
  readonly #entries = new Map<string, ScrapeEntry>()
  /** The last point scraped per target id, kept across loop restarts so that no point is scraped twice. */
  readonly #lastPoints = new Map<string, number>()
  readonly #metrics: PoolMetrics
  #args: ScrapeArguments | undefined
  /** The target keys of the previous sync, sorted (which targets were here before). */
  #previousKeys = new BigUint64Array(0)
  #client: HttpClient | undefined
  #running: AbortSignal | undefined
  #plan: OwnershipPlan = LOCAL_PLAN
  #missed = 0
  readonly #missedLog: MissedPointsLog
  #skipped = 0
  #dropped: DroppedTarget[] = []
  /** Reason last logged per dropped or duplicate target (keyed by its formatted labels), to log changes only. */
  #logged = new Map<string, string>()
  readonly #fanout: Fanout
  readonly #budget: DeltaStateBudget
  readonly #appender: ProfileAppender
  readonly #schedule: Schedule<ScrapeLoop<ScrapeEntry>>
  /** One set of handlers for every loop (each loop hands over its entry): no closures per loop. */
  readonly #handlers: LoopHandlers<ScrapeEntry>

  constructor(deps: PoolDeps) {
    this.#deps = deps
    this.#schedule = new Schedule(deps.clock)
    this.#missedLog = new MissedPointsLog(deps.logger, deps.clock)
    this.#handlers = this.#loopHandlers()
    const metrics = poolMetrics(deps.metrics)
    this.#metrics = metrics
    this.#fanout = new Fanout({ componentId: deps.componentId, logger: deps.logger, scrapes: metrics.scrapes, latency: metrics.fanout })
    this.#budget = new DeltaStateBudget(deps.maxDeltaStateBytes ?? MAX_POOL_DELTA_STATE_BYTES, (bytes) => metrics.deltaState.set({ component: deps.componentId }, bytes))
    this.#appender = new ProfileAppender({ componentId: deps.componentId, logger: deps.logger, metrics, budget: this.#budget, fanout: this.#fanout, latest: deps.latest })
  }

  /**
   * Applies new arguments (or a new ownership view, with the same arguments). Throws (leaving the pool
   * unchanged) when the new HTTP client cannot be built, e.g. an unreadable TLS file.
   */
  sync(args: ScrapeArguments): void {
    const previous = this.#args
    const restart = !previous || needsLoopRestart(previous, args)
    const client = restart ? (this.#deps.createClient ?? createHttpClient)(args.http_client) : this.#client
    const expanded = expandTargets(args.targets, toExpansionConfig(args), this.#deps.hasher)
    const keys = [...new Set(expanded.scrapes.map((s) => s.key))]
    const plan = this.#deps.ownership.plan(keys, this.#deps.componentId, lateLimitMs(args.scrape_interval_ms))

    this.#args = args
    this.#fanout.receivers = args.forward_to.map((c) => c.value)
    this.#plan = plan
    if (restart) {
      void this.#stopAll('abort')
      const old = this.#client
      this.#client = client
      if (old && old !== client) void old.close().catch((err: unknown) => this.#deps.logger.warn({ err: String(err) }, 'closing the previous HTTP client failed'))
    }
    this.#noteDropped(expanded.dropped, expanded.duplicates)
    const desired = new Map<string, ScrapeTarget>()
    for (const s of expanded.scrapes) if (plan.wants(s.key)) desired.set(s.id, s)
    // Built only when asked: a sync that starts and stops nothing needs no set of every scrape id.
    let presentIds: Set<string> | undefined
    const present = (id: string): boolean => (presentIds ??= new Set(expanded.scrapes.map((s) => s.id))).has(id)
    // Forget the last points of targets that are gone altogether (bounded by the target set).
    if (this.#lastPoints.size > expanded.scrapes.length) {
      for (const id of this.#lastPoints.keys()) if (!present(id)) this.#lastPoints.delete(id)
    }
    for (const [id, entry] of this.#entries) {
      const wanted = desired.get(id)
      if (wanted && sameLoop(entry.target, wanted)) continue
      // Moved to another node: a scrape in flight is of a point this node owned, and nobody else scrapes it,
      // so it finishes and its profile is handed on. Gone, or same id with another key (the loop's phase and
      // ownership questions are about the old key): replaced, the scrape in flight aborted.
      void this.#stop(id, entry, wanted === undefined && present(id) ? 'finish' : 'abort')
    }
    // A target that was here before and is only now this node's was another member's: a planned hand-off
    // gives it from a future instant on, so the plan never says this node owned its last point, except when
    // that member failed (it is gone from the plan's past too). Then that point, which the failed member may
    // have left unscraped, is scraped at once if it is recent enough (docs/scrape-timing.md).
    const catchUpMs = previous === undefined || restart ? 0 : lateLimitMs(args.scrape_interval_ms)
    for (const [id, target] of desired) {
      if (!this.#entries.has(id)) this.#start(id, target, catchUpMs > 0 && this.#previousKeys[firstIndexAtOrAfter(this.#previousKeys, target.key)] === target.key ? catchUpMs : 0)
    }
    // Keys only (8 bytes a target): in a cluster most targets are other members', not worth keeping whole.
    this.#previousKeys = BigUint64Array.from(keys).sort()
  }

  /** Runs the loops until `signal` aborts, then stops them all and waits for them. */
  async run(signal: AbortSignal): Promise<void> {
    this.#running = signal
    for (const entry of this.#entries.values()) this.#launch(entry)
    await untilAborted(signal)
    // In-flight scrapes end on their own and their profiles are handed on before the receivers stop: a
    // target that already answered is not lost to a graceful stop. A scrape may run for its whole timeout
    // (tens of seconds for a CPU profile), so one still running after FINISH_ON_STOP_MS is aborted.
    const stopping = [...this.#entries.values()]
    const finished = Promise.allSettled(this.#stopAll('finish')).then(() => 'finished' as const)
    const wait = new AbortController()
    const deadline = this.#deps.clock.sleep(FINISH_ON_STOP_MS, wait.signal).then(
      () => 'deadline' as const,
      () => 'finished' as const
    )
    if ((await Promise.race([finished, deadline])) === 'deadline') {
      for (const entry of stopping) void entry.loop?.stop('abort')
      await finished
    }
    wait.abort()
    await this.#fanout.settled()
    await this.#client?.close()
    // Planning no keys tells the cluster this component owns nothing any more (its ownership counts).
    this.#deps.ownership.plan([], this.#deps.componentId)
  }

  statuses(): TargetStatus[] {
    return [...this.#entries.values()].map((e) => e.status(this.#deps.componentId))
  }

  activeLoops(): number {
    return this.#entries.size
  }

  counters(): { missed: number; skipped: number } {
    return { missed: this.#missed, skipped: this.#skipped }
  }

  /** Targets dropped by the last sync (invalid labels), with their reasons. */
  dropped(): { labels: Labels; reason: string }[] {
    return this.#dropped.map((d) => ({ labels: d.labels, reason: d.reason }))
  }

  /** Estimated bytes of delta baselines held by all loops. */
  deltaStateBytes(): number {
    return this.#budget.heldBytes()
  }

  #noteDropped(dropped: readonly DroppedTarget[], duplicates: readonly Labels[]): void {
    this.#dropped = [...dropped]
    const now = new Map<string, string>()
    const note = (labels: Labels, reason: string, message: string): void => {
      const key = formatLabels(labels)
      now.set(key, reason)
      if (this.#logged.get(key) === reason) return
      if (reason === DUPLICATE) this.#deps.logger.warn({ target: key }, message)
      else this.#deps.logger.warn({ reason, target: key }, message)
    }
    for (const d of dropped) note(d.labels, d.reason, 'target dropped')
    for (const d of duplicates) note(d, DUPLICATE, 'duplicate target ignored')
    this.#logged = now
  }

  #start(id: string, target: ScrapeTarget, catchUpMs: number): void {
    const args = this.#args
    if (!args) return
    const valueTypes = target.clientDelta ? deltaValueTypesFor(target.profileType) : undefined
    const entry = new ScrapeEntry(id, target, valueTypes ? new DeltaComputer({ valueTypes }) : undefined)
    this.#entries.set(id, entry)
    if (this.#running && !this.#running.aborted) this.#launch(entry, catchUpMs)
  }

  #launch(entry: ScrapeEntry, catchUpMs = 0): void {
    const args = this.#args
    if (!args || entry.loop !== undefined) return
    const lastScrapedPoint = this.#lastPoints.get(entry.target.id)
    const options = { ...(lastScrapedPoint === undefined ? {} : { lastScrapedPoint }), ...(catchUpMs > 0 ? { catchUpMs } : {}) }
    entry.loop = new ScrapeLoop(entry.target.key, args.scrape_interval_ms, this.#handlers, entry, options)
    entry.loop.start(this.#schedule, this.#deps.clock.now())
  }

  #loopHandlers(): LoopHandlers<ScrapeEntry> {
    const component = this.#deps.componentId
    return {
      owns: (entry, at) => this.#plan.owns(entry.target.key, at),
      scrape: (entry, at, signal) => this.#scrape(entry, at, signal),
      onSkip: (entry) => {
        entry.skipped++
        this.#skipped++
        this.#metrics.scrapes.inc({ component, profile_type: entry.target.profileType, result: 'skipped' })
      },
      onMissed: (entry, n, lateMs) => {
        this.#missed += n
        this.#metrics.scrapes.inc({ component, profile_type: entry.target.profileType, result: 'missed' }, n)
        this.#missedLog.record(n, lateMs)
      },
      // A bug, not an expected failure (a receiver or the delta code threw): the loop goes on.
      onError: (entry, err) => this.#internalError(entry, err, 'scrape failed with an internal error', 'internal error'),
      // Scheduling itself threw: this target is no longer scraped; say so rather than crash the agent.
      onHalted: (entry, err) => this.#internalError(entry, err, 'scrape loop stopped', 'scrape loop stopped')
    }
  }

  #internalError(entry: ScrapeEntry, err: unknown, message: string, reason: string): void {
    this.#deps.logger.error({ target: entry.url, profile_type: entry.target.profileType, err: describe(err) }, message)
    this.#appender.fail(entry, `${reason}: ${describe(err)}`)
  }

  /** Stops the entry's loop; resolves once its scrape in flight (if any) has been handled and its state let go. */
  #stop(id: string, entry: ScrapeEntry, inFlight: InFlightOnStop = 'abort'): Promise<void> {
    this.#entries.delete(id)
    const stopped = entry.loop?.stop(inFlight) ?? Promise.resolve()
    const release = (): void => this.#appender.release(entry)
    // An aborted scrape uses no state once handled; a finishing one still needs its delta baseline.
    if (inFlight === 'abort') {
      release()
      return stopped
    }
    return stopped.then(release)
  }

  #stopAll(inFlight: InFlightOnStop): Promise<void>[] {
    return [...this.#entries].map(([id, entry]) => this.#stop(id, entry, inFlight))
  }

  async #scrape(entry: ScrapeEntry, atMs: number, signal: AbortSignal): Promise<void> {
    const args = this.#args
    const client = this.#client
    if (!args || !client) return
    const { target } = entry
    this.#lastPoints.set(target.id, atMs)
    entry.lastScrapeMs = atMs
    // The delta is computed with the check, where the profile is decoded: on the check worker when it is large.
    const delta = this.#appender.deltaRequest(entry)
    let outcome: ScrapeOutcome
    try {
      const request = { url: target.url, timeoutMs: target.timeoutMs, bodyLimitBytes: args.body_size_limit_bytes, profileType: target.profileType, delta: delta.input, keepProfile: false }
      outcome = await scrapeOnce(client, request, signal)
    } catch (err) {
      outcome = { ok: false, code: 'SCRAPE_INTERNAL', reason: `internal error: ${String(err)}`, durationMs: 0 }
    }
    if (signal.aborted) return
    this.#appender.append(entry, atMs, outcome, delta)
  }
}

const DUPLICATE = 'duplicate'
/** How long a stop waits for scrapes in flight before aborting them (docs/operations.md "Stopping"). */
export const FINISH_ON_STOP_MS = 5_000

/** Whether a running loop can keep serving `next` (same id): its schedule and deadline are unchanged. */
function sameLoop(current: ScrapeTarget, next: ScrapeTarget): boolean {
  return current.key === next.key && current.timeoutMs === next.timeoutMs
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}
