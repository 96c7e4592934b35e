/**
 * The suspicions this node follows (docs/cluster-protocol.md "Failure detection"): when each started, for
 * which incarnation, who confirmed it, and its timeout (Lifeguard's, from suspicion.ts, unless a refused
 * connection fixed a shorter one). No I/O: time is passed in, and what expires is handed to the caller.
 */
import type { MemberRecord } from './messages.js'
import { suspicionTimeoutMs } from './suspicion.js'

interface Suspicion {
  readonly startedMs: number
  readonly incarnation: number
  readonly confirmers: Set<string>
  /** Set, or shortened, by a refused connection: strong evidence that nothing listens. */
  fixedTimeoutMs: number | undefined
}

export class Suspicions {
  readonly #byId = new Map<string, Suspicion>()

  /**
   * Follows the member's new record: a suspicion of a new incarnation starts now (with `fixedTimeoutMs`
   * when given), one of the same incarnation goes on, and any other status ends it.
   */
  follow(record: MemberRecord, nowMs: number, fixedTimeoutMs: number | undefined): void {
    if (record.status !== 'suspect') {
      this.#byId.delete(record.id)
      return
    }
    const s = this.#byId.get(record.id)
    if (s === undefined || s.incarnation !== record.incarnation) {
      this.#byId.set(record.id, { startedMs: nowMs, incarnation: record.incarnation, confirmers: new Set([record.by ?? '']), fixedTimeoutMs })
    }
  }

  /** Member `by` suspects this incarnation too: Lifeguard shortens the timeout with each confirmation. */
  confirm(record: MemberRecord, by: string): void {
    const s = this.#byId.get(record.id)
    if (s !== undefined && s.incarnation === record.incarnation) s.confirmers.add(by)
  }

  /**
   * Suspected elsewhere (a lost probe starts Lifeguard's long timeout), then refused here: nothing listens,
   * so `timeoutMs` applies from now, if it ends sooner.
   */
  shorten(record: MemberRecord, nowMs: number, timeoutMs: number): void {
    const s = this.#byId.get(record.id)
    if (s === undefined || s.incarnation !== record.incarnation) return
    const endsAfter = nowMs - s.startedMs + timeoutMs
    s.fixedTimeoutMs = Math.min(s.fixedTimeoutMs ?? Number.POSITIVE_INFINITY, endsAfter)
  }

  /** Ends every suspicion whose time is up, telling `expired` the member and the incarnation suspected. */
  expire(nowMs: number, bounds: { minMs: number; maxMs: number }, expectedConfirmations: number, expired: (id: string, incarnation: number) => void): void {
    for (const [id, s] of this.#byId) {
      const timeoutMs = s.fixedTimeoutMs ?? suspicionTimeoutMs(s.confirmers.size - 1, bounds, expectedConfirmations)
      if (nowMs - s.startedMs < timeoutMs) continue
      this.#byId.delete(id)
      expired(id, s.incarnation)
    }
  }
}
