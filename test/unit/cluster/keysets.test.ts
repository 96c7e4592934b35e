import { before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { createKeyHasher } from '../../../src/util/label-hash.js'
import type { KeyHasher } from '../../../src/util/label-hash.js'
import { claimedAt, keySet, keySetDigest, nextKeySets, NO_CLAIM } from '../../../src/cluster/keysets.js'
import type { ComponentKeySets } from '../../../src/cluster/keysets.js'
import { OwnershipPlanner } from '../../../src/cluster/ownership.js'
import type { ClusterPlan } from '../../../src/cluster/contract.js'
import type { OwnershipMember } from '../../../src/cluster/ownership.js'

const COMPONENT = 'pyroscope.scrape.default'
const GRACE_MS = 10_000
const INTERVAL_MS = 4_000

describe('key-set claims', () => {
  it('digests a set whatever the order and repeats of its keys, and tells sets apart', () => {
    const a = keySet([5n, 1n, 2n ** 63n + 7n, 1n])
    const b = keySet([2n ** 63n + 7n, 5n, 1n])
    assert.equal(a.digest, b.digest)
    assert.deepEqual([...a.keys], [1n, 5n, 2n ** 63n + 7n])
    assert.notEqual(keySet([1n, 5n]).digest, a.digest)
    assert.notEqual(keySetDigest(BigUint64Array.of(1n << 32n)), keySetDigest(BigUint64Array.of(1n)), 'both 32-bit halves count')
  })

  it('claims at once as a viewer, and grace ahead as a participant with the set in effect now as the previous', () => {
    const [v0, v1, v2] = [keySet([1n, 2n]), keySet([1n, 2n, 3n]), keySet([2n, 3n])]
    const first = nextKeySets(COMPONENT, undefined, v0, 1_000, GRACE_MS, true)
    assert.deepEqual(first.claim, { c: COMPONENT, d: v0.digest, at: 1_000 })
    assert.deepEqual(nextKeySets(COMPONENT, undefined, v0, 1_000, GRACE_MS, false).claim, { c: COMPONENT, d: v0.digest, at: 11_000 }, 'a participant\'s first claim: none before it')
    assert.equal(nextKeySets(COMPONENT, first, keySet([2n, 1n]), 2_000, GRACE_MS, false), first, 'the same set again changes nothing')
    const second = nextKeySets(COMPONENT, first, v1, 2_000, GRACE_MS, false)
    assert.deepEqual(second.claim, { c: COMPONENT, d: v1.digest, p: v0.digest, at: 12_000 })
    // Changed again before the second claim took effect: v0 is still the set in effect.
    const third = nextKeySets(COMPONENT, second, v2, 5_000, GRACE_MS, false)
    assert.deepEqual(third.claim, { c: COMPONENT, d: v2.digest, p: v0.digest, at: 15_000 })
    assert.equal(third.previous, v0)
    assert.equal(claimedAt(third.claim, 14_999), v0.digest)
    assert.equal(claimedAt(third.claim, 15_000), v2.digest)
    assert.equal(claimedAt(undefined, 0), NO_CLAIM)
  })
})

/**
 * Ten participants refresh their target list at their own moments over a minute (as discovery.http
 * refreshes land), hear each other's claims up to 2 s late, and re-plan on every change they hear, as the
 * cluster service does. At every scrape point, each target present before and after the change must be
 * owned by exactly one node that has it.
 */
describe('ownership while members learn a new target set at different moments', () => {
  let hasher: KeyHasher
  before(async () => {
    hasher = await createKeyHasher()
  })

  function scenario(seed: number, withClaims: boolean): { doubles: number; gaps: number; checked: number } {
    let state = seed
    const random = (): number => {
      state = (Math.imul(state, 1103515245) + 12345) >>> 0
      return state / 2 ** 32
    }
    const key = (i: number): bigint => hasher.targetKey({ __address__: `10.0.${i >> 8}.${i & 255}:8080`, service_name: `svc-${i % 13}` })
    const before = Array.from({ length: 300 }, (_, i) => key(i))
    const after = [...before.slice(20), ...Array.from({ length: 40 }, (_, i) => key(1_000 + i))]
    const persisting = before.filter((k) => after.includes(k))
    const names = Array.from({ length: 10 }, (_, i) => `m${i}`)
    const refreshAt = new Map(names.map((n) => [n, 20_000 + Math.round(random() * 60_000)]))
    // What each node claims: the first set from the start, the second from its refresh on.
    const sets = new Map<string, { early: ComponentKeySets; late: ComponentKeySets }>()
    for (const n of names) {
      const early = nextKeySets(COMPONENT, undefined, keySet(before), 0, GRACE_MS, true)
      sets.set(n, { early, late: nextKeySets(COMPONENT, early, keySet(after), refreshAt.get(n) as number, GRACE_MS, false) })
    }
    const heardAfter = new Map(names.flatMap((a) => names.map((b) => [`${a}>${b}`, a === b ? 0 : Math.round(random() * 2_000)] as const)))
    const setsAt = (n: string, t: number): ComponentKeySets => {
      const s = sets.get(n) as { early: ComponentKeySets; late: ComponentKeySets }
      return t >= (refreshAt.get(n) as number) ? s.late : s.early
    }
    // Node `viewer`'s knowledge of member `n` at `t`: n's claim as of t minus the gossip delay.
    const memberAt = (viewer: string, n: string, t: number): OwnershipMember => ({
      name: n,
      state: 'participant',
      handoffAt: 0,
      ...(withClaims ? { keys: [setsAt(n, t - (heardAfter.get(`${n}>${viewer}`) as number)).claim] } : {})
    })
    const planners = new Map(names.map((n) => [n, new OwnershipPlanner(hasher, { tokensPerMember: 256 })]))
    const planAt = (n: string, t: number): ClusterPlan =>
      (planners.get(n) as OwnershipPlanner).plan(
        { self: n, members: names.map((m) => memberAt(n, m, t)), ready: true, nowMs: t, ...(withClaims ? { keySets: setsAt(n, t) } : {}) },
        [...setsAt(n, t).current.keys],
        COMPONENT
      )
    // Each node re-plans when it refreshes and when it hears a claim change; a point is judged with the
    // plan in force when it comes.
    const replans = new Map(
      names.map((n) => {
        const times = new Set<number>([0, refreshAt.get(n) as number])
        for (const m of names) times.add((refreshAt.get(m) as number) + (heardAfter.get(`${m}>${n}`) as number))
        return [n, [...times].sort((a, b) => a - b)]
      })
    )
    const plans = new Map(names.map((n) => [n, (replans.get(n) as number[]).map((t) => ({ t, plan: planAt(n, t) }))]))
    let doubles = 0
    let gaps = 0
    let checked = 0
    for (let point = 0; point <= 120_000; point += INTERVAL_MS) {
      for (const k of persisting) {
        let owners = 0
        for (const n of names) {
          const inForce = (plans.get(n) as { t: number; plan: ClusterPlan }[]).filter((p) => p.t <= point).at(-1)
          if (inForce?.plan.owns(k, point) === true) owners++
        }
        checked++
        if (owners > 1) doubles++
        if (owners === 0) gaps++
      }
    }
    return { doubles, gaps, checked }
  }

  it('doubles and misses no target present before and after, for 5 random schedules', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const { doubles, gaps, checked } = scenario(seed, true)
      assert.ok(checked > 8_000)
      assert.deepEqual({ doubles, gaps }, { doubles: 0, gaps: 0 }, `schedule ${seed}`)
    }
  })

  it('without claims, the same schedules double and miss targets (what the claims prevent)', () => {
    const { doubles, gaps } = scenario(1, false)
    assert.ok(doubles + gaps > 0, 'bounded loads over each node\'s own set disagree while refreshes differ')
  })
})
