/**
 * What each scrape component (a caller of `plan`, by id) last planned: the keys owned per participant in
 * its last plan (the view and the owned-targets gauge sum them), and the key sets it plans with with the
 * claim announced for them (keysets.ts). A component that plans an empty key set is forgotten.
 */
import { keySet, nextKeySets } from './keysets.js'
import type { ComponentKeySets } from './keysets.js'
import { MAX_KEY_CLAIMS } from './swim/messages.js'
import type { KeySetClaim } from './swim/messages.js'

export class ComponentPlans {
  readonly #graceMs: number
  /** Keys owned per participant in each caller's last plan. */
  readonly #counts = new Map<string, Map<string, number>>()
  /** Per caller, the key sets it plans with and the claim announced for them. */
  readonly #keySets = new Map<string, ComponentKeySets>()

  constructor(graceMs: number) {
    this.#graceMs = graceMs
  }

  /**
   * The caller's key sets after planning `keys` at `nowMs`. When they changed, a new claim `graceMs` ahead
   * (at once for a `viewer`), and `announce` gets every caller's claims; a caller without keys withdraws
   * its claim.
   */
  claim(callerId: string, keys: readonly bigint[], nowMs: number, viewer: boolean, announce: (claims: readonly KeySetClaim[]) => void): ComponentKeySets | undefined {
    const before = this.#keySets.get(callerId)
    if (keys.length === 0) {
      if (before === undefined) return undefined
      this.#keySets.delete(callerId)
    } else {
      const next = nextKeySets(callerId, before, keySet(keys), nowMs, this.#graceMs, viewer)
      if (next === before) return before
      this.#keySets.set(callerId, next)
    }
    announce([...this.#keySets.values()].map((k) => k.claim).slice(0, MAX_KEY_CLAIMS))
    return this.#keySets.get(callerId)
  }

  /** The counts of the caller's previous plan. */
  previousCounts(callerId: string): ReadonlyMap<string, number> | undefined {
    return this.#counts.get(callerId)
  }

  /** Keeps the counts of the caller's latest plan (forgets the caller when it planned no keys). */
  remember(callerId: string, plannedKeys: number, counts: Map<string, number>): void {
    if (plannedKeys === 0) this.#counts.delete(callerId)
    else this.#counts.set(callerId, counts)
  }

  /** Keys owned per participant, summed over the last plan of every caller. */
  ownership(): Map<string, number> {
    const sum = new Map<string, number>()
    for (const counts of this.#counts.values()) for (const [name, n] of counts) sum.set(name, (sum.get(name) ?? 0) + n)
    return sum
  }
}
