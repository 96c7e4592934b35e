/**
 * How a change of another member is told (docs/cluster-protocol.md "Counters"): its log line, whether
 * ownership is planned again (and at once, when the change's instant is close), and how early an
 * announced change (a join, a leave, a key-set change) was heard: the grace it was announced with must
 * exceed that, and one heard after its instant is the one way a planned change can double or miss a point.
 */
import type { Logger } from '../util/logger.js'
import { isoTime } from './iso-time.js'
import type { ClusterMetrics } from './metrics.js'
import type { MemberRecord } from './swim/messages.js'
import type { RecordChange } from './swim/records.js'

export type MemberChange = Exclude<RecordChange, 'refreshed'>

interface MemberEvent {
  readonly message: string
  readonly reason?: string
  /** A suspicion, or its refutation, changes nobody's ownership: a suspect keeps its keys. */
  readonly replan: boolean
}

/** How each change of a member is logged, and whether ownership is planned again. */
const MEMBER_EVENTS: Readonly<Record<MemberChange, MemberEvent>> = {
  joined: { message: 'cluster member joined', replan: true },
  changed: { message: 'cluster member changed', replan: true },
  suspected: { message: 'cluster member suspected', replan: false },
  recovered: { message: 'cluster member refuted a suspicion', replan: false },
  failed: { message: 'cluster member left', reason: 'failed', replan: true },
  left: { message: 'cluster member left', reason: 'left', replan: true }
}

/**
 * Announcements older than this are history (a member that joined long ago, learnt by a newcomer or after a
 * partition), not a hand-off that came late.
 */
const LATE_HANDOFF_HORIZON_MS = 60_000
/**
 * A change whose instant is this close (or past) re-plans at once, not at the end of the notifier's window:
 * the plan must be in place before the instant.
 */
const URGENT_WITHIN_MS = 2_000

/** What the service does about a change: plan ownership again, and whether at once. */
export interface Replan {
  readonly replan: boolean
  readonly urgent: boolean
}

/**
 * The latest instant a record announces: its hand-off, or a key-set claim's (a first claim, which takes
 * effect at once by design, does not count). The change just announced is the latest one.
 */
export function latestInstant(m: MemberRecord): number | undefined {
  const instants = (m.keys ?? []).filter((c) => c.p !== undefined).map((c) => c.at)
  if (m.role !== 'viewer' && m.handoff_at !== undefined) instants.push(m.handoff_at)
  return instants.length === 0 ? undefined : Math.max(...instants)
}

/**
 * How late (ms; negative: how early) the announcement a join or change carries was heard, or undefined
 * when it does not count: history beyond the horizon, or anything a viewer (owning nothing yet) learns late.
 */
export function handoffLateness(change: MemberChange, m: MemberRecord, nowMs: number, selfIsViewer: boolean): number | undefined {
  if (change !== 'joined' && change !== 'changed') return undefined
  const latest = latestInstant(m)
  if (latest === undefined) return undefined
  const lateMs = nowMs - latest
  if (lateMs > LATE_HANDOFF_HORIZON_MS || (selfIsViewer && lateMs > 0)) return undefined
  return lateMs
}

export class MemberChangeLog {
  readonly #logger: Logger
  readonly #metrics: Pick<ClusterMetrics, 'handoffNotice' | 'lateHandoffs'>

  constructor(logger: Logger, metrics: Pick<ClusterMetrics, 'handoffNotice' | 'lateHandoffs'>) {
    this.#logger = logger
    this.#metrics = metrics
  }

  /** Logs the change, observes how early its announcement was heard, and tells what to re-plan. */
  told(change: MemberChange, m: MemberRecord, nowMs: number, selfIsViewer: boolean): Replan {
    const event = MEMBER_EVENTS[change]
    const fields = { peer: m.name, peer_id: m.id, state: m.role, status: m.status, incarnation: m.incarnation, handoff_at: isoTime(m.handoff_at) }
    this.#logger.info(event.reason === undefined ? fields : { ...fields, reason: event.reason }, event.message)
    this.#observeNotice(change, m, nowMs, selfIsViewer)
    if (!event.replan) return { replan: false, urgent: false }
    const instant = latestInstant(m)
    return { replan: true, urgent: instant !== undefined && instant - nowMs < URGENT_WITHIN_MS }
  }

  /** One heard after its instant: the points between the instant and now were planned without it. */
  #observeNotice(change: MemberChange, m: MemberRecord, nowMs: number, selfIsViewer: boolean): void {
    const lateMs = handoffLateness(change, m, nowMs, selfIsViewer)
    if (lateMs === undefined) return
    this.#metrics.handoffNotice.observe(-lateMs / 1000)
    if (lateMs <= 0) return
    this.#metrics.lateHandoffs.inc()
    this.#logger.warn({ peer: m.name, state: m.role, instant: isoTime(latestInstant(m)), late_ms: Math.round(lateMs) }, 'cluster hand-off heard after its instant')
  }
}
