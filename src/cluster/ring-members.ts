/**
 * The members the ring is built from (docs/cluster-protocol.md "Ownership and hand-off"): this node and
 * every live member, except those that lost their name to an earlier-started member (names.ts), and the
 * log of such conflicts.
 */
import type { Counter } from 'prom-client'
import type { Logger } from '../util/logger.js'
import { isoTime } from './iso-time.js'
import { nameConflicts } from './names.js'
import type { NameClaim } from './names.js'
import type { OwnershipMember } from './ownership.js'
import type { MemberRecord } from './swim/messages.js'
import { isLive } from './swim/records.js'

export interface RingMembers {
  readonly members: OwnershipMember[]
  /** This node lost its name to another member: it owns nothing while that one is there. */
  readonly selfExcluded: boolean
}

/** Members as the ring sees them: those that lost their name to another member are left out. */
export function ringMembers(self: MemberRecord, others: readonly MemberRecord[]): RingMembers {
  const losers = nameLosers(self, others)
  const selfExcluded = losers.has(self.id)
  const members: OwnershipMember[] = selfExcluded ? [] : [toOwnershipMember(self)]
  for (const m of others) if (isLive(m.status) && !losers.has(m.id)) members.push(toOwnershipMember(m))
  return { members, selfExcluded }
}

/** Live members (this node included) whose name an earlier-started member holds, each mapped to that holder. */
export function nameLosers(self: MemberRecord, others: readonly MemberRecord[]): Map<string, NameClaim> {
  return nameConflicts([nameClaim(self), ...others.filter((m) => isLive(m.status)).map(nameClaim)])
}

function nameClaim(m: MemberRecord): NameClaim {
  return { peerId: m.id, name: m.name, startedAt: m.started_at }
}

function toOwnershipMember(m: MemberRecord): OwnershipMember {
  return { name: m.name, state: m.role, handoffAt: m.handoff_at, ...(m.keys === undefined ? {} : { keys: m.keys }) }
}

/** Logs and counts each new name conflict once; forgets conflicts that are over. */
export class NameConflictLog {
  readonly #logger: Logger
  readonly #counter: Counter<string>
  readonly #selfId: string
  /** Conflicts already logged, by the peer id of the member left out (this node's, when it lost). */
  readonly #logged = new Map<string, NameClaim>()

  constructor(logger: Logger, counter: Counter<string>, selfId: string) {
    this.#logger = logger
    this.#counter = counter
    this.#selfId = selfId
  }

  update(losers: ReadonlyMap<string, NameClaim>): void {
    for (const peerId of [...this.#logged.keys()]) if (!losers.has(peerId)) this.#logged.delete(peerId)
    for (const [peerId, holder] of losers) {
      if (this.#logged.has(peerId)) continue
      this.#logged.set(peerId, holder)
      this.#counter.inc()
      const fix = 'give every node a unique --cluster.node-name'
      if (peerId === this.#selfId) {
        this.#logger.error({ name: holder.name, holder_peer_id: holder.peerId, holder_started_at: isoTime(holder.startedAt) }, `another cluster member started earlier with this node's name: this node owns no targets while it is there; ${fix}`)
      } else {
        this.#logger.error({ name: holder.name, peer_id: peerId, holder_peer_id: holder.peerId }, `two cluster members announce the same name: the later-started one is left out of the ring; ${fix}`)
      }
    }
  }
}
