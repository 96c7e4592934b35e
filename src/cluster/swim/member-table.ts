/**
 * What this node knows of the membership, itself included: every member's latest record, when it last
 * changed locally, the live members (alive or suspect) in an array for O(1) random picks, the tombstones
 * (dead and left members, remembered for a while) and the digest anti-entropy compares. No I/O: the
 * protocol (protocol.ts) decides what to store; randomness is injected.
 */
import { DigestSum, isLive } from './records.js'
import type { MemberRecord } from './messages.js'

/** How often tombstones past their retention are looked for. */
const TOMBSTONE_SWEEP_INTERVAL_MS = 10_000

export class MemberTable {
  readonly #random: () => number
  readonly #members = new Map<string, MemberRecord>()
  /** Local time each record last changed: tombstones expire by it. */
  readonly #changedAt = new Map<string, number>()
  /** Live members' ids in an array (random picks in O(1)) with each one's index; tombstones by id. */
  readonly #live: string[] = []
  readonly #liveIndex = new Map<string, number>()
  readonly #tombstones = new Set<string>()
  readonly #digest = new DigestSum()
  #self: MemberRecord
  #lastSweepMs = 0

  constructor(self: MemberRecord, random: () => number) {
    this.#self = self
    this.#digest.add(self)
    this.#random = random
  }

  get self(): MemberRecord {
    return this.#self
  }

  replaceSelf(next: MemberRecord): void {
    this.#digest.remove(this.#self)
    this.#self = next
    this.#digest.add(next)
  }

  /** Live members, this one included. */
  get size(): number {
    return this.#live.length + 1
  }

  /** How many other members are known, tombstones included. */
  get knownCount(): number {
    return this.#members.size
  }

  /** Equal digests mean equal views of the live members (records.ts). */
  get digest(): string {
    return this.#digest.value
  }

  get(id: string): MemberRecord | undefined {
    return this.#members.get(id)
  }

  has(id: string): boolean {
    return this.#members.has(id)
  }

  /** Every member known besides this one, tombstones included. */
  members(): MemberRecord[] {
    return [...this.#members.values()]
  }

  /** This member and every other known one: what a full state exchange carries. */
  state(): MemberRecord[] {
    return [this.#self, ...this.#members.values()]
  }

  changedAt(id: string): number | undefined {
    return this.#changedAt.get(id)
  }

  /** A copy of the live members' ids, in no particular order. */
  liveIds(): string[] {
    return [...this.#live]
  }

  /** Members remembered as dead (not those that left). */
  deadMembers(): MemberRecord[] {
    return [...this.#tombstones].map((id) => this.#members.get(id)).filter((m): m is MemberRecord => m?.status === 'dead')
  }

  /**
   * Stores `record` as the member's latest, changed at `nowMs`. Returns whether the member arrived: live
   * now, and not live in the same run before.
   */
  put(record: MemberRecord, nowMs: number): boolean {
    const known = this.#members.get(record.id)
    if (known !== undefined) this.#digest.remove(known)
    this.#digest.add(record)
    this.#members.set(record.id, record)
    this.#changedAt.set(record.id, nowMs)
    const wasLive = known !== undefined && isLive(known.status) && known.started_at === record.started_at
    if (isLive(record.status) && !wasLive) {
      this.#addLive(record.id)
      return true
    }
    if (!isLive(record.status)) {
      this.#removeLive(record.id)
      this.#tombstones.add(record.id)
    }
    return false
  }

  /** Forgets tombstones kept longer than their retention (left members: a fifth of it). */
  forgetExpired(nowMs: number, deadRetentionMs: number): void {
    if (nowMs - this.#lastSweepMs < TOMBSTONE_SWEEP_INTERVAL_MS) return
    this.#lastSweepMs = nowMs
    for (const id of this.#tombstones) {
      const m = this.#members.get(id)
      if (m === undefined || isLive(m.status)) {
        this.#tombstones.delete(id)
        continue
      }
      const keepMs = m.status === 'left' ? deadRetentionMs / 5 : deadRetentionMs
      if (nowMs - (this.#changedAt.get(id) ?? nowMs) > keepMs) {
        this.#members.delete(id)
        this.#changedAt.delete(id)
        this.#tombstones.delete(id)
      }
    }
  }

  /** Up to `n` distinct random live members, never this one nor `except`: O(n), whatever the cluster's size. */
  randomLive(n: number, except?: string): MemberRecord[] {
    const available = this.#live.length - (except !== undefined && this.#liveIndex.has(except) ? 1 : 0)
    const want = Math.min(n, available)
    const picked = new Set<string>()
    if (want * 3 > this.#live.length) {
      for (const id of shuffle([...this.#live], this.#random)) if (id !== except && picked.size < want) picked.add(id)
    } else {
      while (picked.size < want) {
        const id = this.#live[Math.floor(this.#random() * this.#live.length)] as string
        if (id !== except) picked.add(id)
      }
    }
    return [...picked].map((id) => this.#members.get(id) as MemberRecord)
  }

  #addLive(id: string): void {
    if (this.#liveIndex.has(id)) return
    this.#liveIndex.set(id, this.#live.length)
    this.#live.push(id)
    this.#tombstones.delete(id)
  }

  #removeLive(id: string): void {
    const i = this.#liveIndex.get(id)
    if (i === undefined) return
    const last = this.#live.pop() as string
    this.#liveIndex.delete(id)
    if (last !== id) {
      this.#live[i] = last
      this.#liveIndex.set(last, i)
    }
  }
}

/** Fisher–Yates, in place. */
export function shuffle<T>(items: T[], random: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1))
    ;[items[i], items[j]] = [items[j] as T, items[i] as T]
  }
  return items
}
