import { before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { createKeyHasher } from '../../../src/util/label-hash.js'
import type { KeyHasher } from '../../../src/util/label-hash.js'
import { isParticipantAt, OwnershipPlanner, participantsAt, pendingHandoffs } from '../../../src/cluster/ownership.js'
import type { OwnershipMember } from '../../../src/cluster/ownership.js'

let hasher: KeyHasher
let keys: bigint[] = []
before(async () => {
  hasher = await createKeyHasher()
  keys = Array.from({ length: 200 }, (_, i) => hasher.targetKey({ __address__: `10.0.0.${i % 250}:${6000 + i}` }))
})

// Few tokens keep ring builds fast; the ring's own balance is tested in ring.test.ts.
const planner = (): OwnershipPlanner => new OwnershipPlanner(hasher, { tokensPerMember: 64 })
const member = (name: string, state: OwnershipMember['state'], handoffAt?: number): OwnershipMember => ({ name, state, handoffAt })

/** Which node's plan claims `key` at `at`, computed by every node from the same membership. */
function claimants(members: readonly OwnershipMember[], key: bigint, at: number, nowMs: number, p = planner()): string[] {
  return members
    .filter((m) => m.state !== 'viewer')
    .map((m) => m.name)
    .filter((self) => p.plan({ self, members, ready: true, nowMs }, keys).owns(key, at))
}

describe('isParticipantAt', () => {
  it('counts a joining participant from its hand-off on, and a terminating one only before it', () => {
    assert.equal(isParticipantAt(member('a', 'participant', 100), 99), false)
    assert.equal(isParticipantAt(member('a', 'participant', 100), 100), true)
    assert.equal(isParticipantAt(member('a', 'terminating', 100), 99), true)
    assert.equal(isParticipantAt(member('a', 'terminating', 100), 100), false)
    assert.equal(isParticipantAt(member('a', 'viewer'), 100), false)
  })
})

describe('OwnershipPlanner', () => {
  it('gives every key exactly one owner among three steady participants', () => {
    const members = [member('a', 'participant', 0), member('b', 'participant', 0), member('c', 'participant', 0)]
    const p = planner()
    for (const key of keys.slice(0, 40)) assert.equal(claimants(members, key, 5_000, 1_000, p).length, 1)
    const counts = p.plan({ self: 'a', members, ready: true, nowMs: 1_000 }, keys).counts()
    assert.equal([...counts.values()].reduce((x, y) => x + y, 0), keys.length)
    assert.deepEqual([...counts.keys()].sort(), ['a', 'b', 'c'])
  })

  it('hands keys to a joining node exactly at its announced instant', () => {
    const H = 10_000
    const members = [member('a', 'participant', 0), member('b', 'participant', 0), member('d', 'participant', H)]
    const p = planner()
    const d = p.plan({ self: 'd', members, ready: true, nowMs: 8_000 }, keys)
    const moved = keys.filter((k) => d.owns(k, H))
    assert.ok(moved.length > 0, 'the new node owns something after the hand-off')
    for (const k of keys) {
      assert.equal(d.owns(k, H - 1), false, 'nothing before the hand-off')
      assert.equal(d.wants(k), d.owns(k, H), 'its loops exist before the instant for exactly the keys it gains')
    }
    for (const k of moved.slice(0, 20)) {
      assert.deepEqual(claimants(members, k, H - 1, 8_000, p).length, 1)
      assert.deepEqual(claimants(members, k, H, 8_000, p), ['d'])
    }
  })

  it('keeps a terminating node the owner of its points before its hand-off and moves them after', () => {
    const H = 10_000
    const members = [member('a', 'participant', 0), member('b', 'participant', 0), member('c', 'terminating', H)]
    const p = planner()
    const c = p.plan({ self: 'c', members, ready: true, nowMs: 8_000 }, keys)
    const owned = keys.filter((k) => c.owns(k, H - 1))
    assert.ok(owned.length > 0)
    for (const k of owned.slice(0, 20)) {
      assert.equal(c.owns(k, H), false)
      const after = claimants(members, k, H, 8_000, p)
      assert.equal(after.length, 1)
      assert.notEqual(after[0], 'c')
      // The survivor that takes over starts its loop before the instant.
      assert.equal(p.plan({ self: after[0] as string, members, ready: true, nowMs: 8_000 }, keys).wants(k), true)
    }
  })

  it('owns nothing while not ready, and nothing when no one participates', () => {
    const p = planner()
    const notReady = p.plan({ self: 'a', members: [member('a', 'participant', 0)], ready: false, nowMs: 1 }, keys)
    const viewers = p.plan({ self: 'a', members: [member('a', 'viewer'), member('b', 'viewer')], ready: true, nowMs: 1 }, keys)
    for (const plan of [notReady, viewers]) {
      assert.equal(keys.some((k) => plan.wants(k) || plan.owns(k, 5)), false)
    }
  })

  it('answers ownersAt with the same assignment the plans use', () => {
    const members = [member('a', 'participant', 0), member('b', 'participant', 0)]
    const p = planner()
    const owners = p.ownersAt(members, keys, 1)
    const a = p.plan({ self: 'a', members, ready: true, nowMs: 1 }, keys)
    for (const k of keys) assert.equal(a.owns(k, 1), owners.get(k) === 'a')
  })

  it('never gives a point two owners or none, whatever the joins and leaves announced', () => {
    const names = ['a', 'b', 'c', 'd']
    const arb = fc.record({
      states: fc.array(fc.constantFrom<'participant' | 'terminating'>('participant', 'terminating'), { minLength: 4, maxLength: 4 }),
      handoffs: fc.array(fc.integer({ min: 0, max: 20 }), { minLength: 4, maxLength: 4 }),
      at: fc.integer({ min: 0, max: 21 }),
      key: fc.integer({ min: 0, max: keys.length - 1 })
    })
    const p = planner()
    fc.assert(
      fc.property(arb, ({ states, handoffs, at, key }) => {
        const members = names.map((n, i) => member(n, states[i] as 'participant', (handoffs[i] as number) * 1000))
        const expected = participantsAt(members, at * 1000).length > 0 ? 1 : 0
        return claimants(members, keys[key] as bigint, at * 1000, 0, p).length === expected
      }),
      { numRuns: 150, seed: 7 }
    )
  })
})

describe('OwnershipPlanner cost', () => {
  const counting = (): { planner: OwnershipPlanner; builds: { ring: number; 'derived ring': number; assignment: number } } => {
    const builds = { ring: 0, 'derived ring': 0, assignment: 0 }
    return { planner: new OwnershipPlanner(hasher, { tokensPerMember: 64, onBuild: (what) => builds[what]++ }), builds }
  }
  // Every member that ever joined announced a hand-off; all of these are in the past at `nowMs`.
  const joinedOneByOne = (n: number): OwnershipMember[] => Array.from({ length: n }, (_, i) => member(`m${String(i).padStart(2, '0')}`, 'participant', 1_000 * (i + 1)))

  it('builds one ring and one assignment however many hand-offs lie in the past', () => {
    for (const n of [1, 3, 20]) {
      const { planner: p, builds } = counting()
      const plan = p.plan({ self: 'm00', members: joinedOneByOne(n), ready: true, nowMs: 100_000 }, keys)
      assert.deepEqual(builds, { ring: 1, 'derived ring': 0, assignment: 1 }, `${n} members that joined one by one`)
      assert.equal([...plan.counts().values()].reduce((x, y) => x + y, 0), keys.length)
    }
  })

  it('builds nothing for a repeated plan with 20 past hand-offs, and one epoch more per pending hand-off', () => {
    const { planner: p, builds } = counting()
    const members = joinedOneByOne(20)
    p.plan({ self: 'm00', members, ready: true, nowMs: 100_000 }, keys)
    p.plan({ self: 'm01', members, ready: true, nowMs: 100_500 }, keys)
    assert.deepEqual(builds, { ring: 1, 'derived ring': 0, assignment: 1 })
    p.plan({ self: 'm00', members: [...members, member('new', 'participant', 200_000)], ready: true, nowMs: 100_000 }, keys)
    assert.deepEqual(builds, { ring: 1, 'derived ring': 1, assignment: 2 }, 'the pending epoch is the current one plus a member: derived')
  })

  it('builds each epoch of a forming cluster once, however many hand-offs are pending (24 joining one by one)', () => {
    const { planner: p, builds } = counting()
    // A cluster starting at once: every member announced a hand-off still ahead, one epoch each.
    const members = Array.from({ length: 24 }, (_, i) => member(`m${String(i).padStart(2, '0')}`, 'participant', 10_000 + 500 * i))
    const first = p.plan({ self: 'm00', members, ready: true, nowMs: 9_000 }, keys)
    assert.deepEqual(builds, { ring: 1, 'derived ring': 23, assignment: 24 }, 'one ring per epoch (before the first hand-off nobody participates), each derived from the one before')
    const again = p.plan({ self: 'm00', members, ready: true, nowMs: 9_500 }, keys)
    assert.deepEqual(builds, { ring: 1, 'derived ring': 23, assignment: 24 }, 'the next sync builds nothing')
    for (const k of keys) for (const at of [10_000, 15_000, 30_000]) assert.equal(again.owns(k, at), first.owns(k, at))
    for (const at of [10_000, 12_000, 21_500]) {
      const built = new OwnershipPlanner(hasher, { tokensPerMember: 64 }).ownersAt(members, keys, at)
      for (const k of keys) assert.equal(first.owns(k, at), built.get(k) === 'm00', 'derived rings own as built ones')
    }
  })

  it('answers for the points from now on as the membership in effect now says', () => {
    const members = joinedOneByOne(3)
    const p = planner()
    const owners = p.ownersAt(members, keys, 50_000)
    const plan = p.plan({ self: 'm02', members, ready: true, nowMs: 50_000 }, keys)
    for (const k of keys) assert.equal(plan.owns(k, 60_000), owners.get(k) === 'm02')
  })

  it('judges a point before a hand-off by the members then, for a plan made after it that looks back (a point scraped late)', () => {
    const H = 10_000
    const members = [member('a', 'participant', 0), member('b', 'participant', 0), member('d', 'participant', H)]
    const p = planner()
    // Made 1 s after d's instant; a loop that woke up late still asks about a point 1.5 s before it.
    const late = p.plan({ self: 'd', members, ready: true, nowMs: H + 1_000, sinceMs: H - 2_000 }, keys)
    const gained = keys.filter((k) => late.owns(k, H))
    assert.ok(gained.length > 0)
    for (const k of gained) assert.equal(late.owns(k, H - 1_500), false, 'd did not own points before its hand-off')
    const before = p.plan({ self: 'a', members, ready: true, nowMs: H + 1_000, sinceMs: H - 2_000 }, keys)
    const aBefore = keys.filter((k) => before.owns(k, H - 1_500))
    assert.deepEqual(aBefore, keys.filter((k) => p.plan({ self: 'a', members, ready: true, nowMs: H - 1_500 }, keys).owns(k, H - 1_500)), 'a owns what it owned then')
    assert.deepEqual([...late.counts()].sort(), [...p.plan({ self: 'd', members, ready: true, nowMs: H + 1_000 }, keys).counts()].sort(), 'counts are those of now')
    // Without the look-back the current members answer for every point: the cause of a start-up double.
    const now = p.plan({ self: 'd', members, ready: true, nowMs: H + 1_000 }, keys)
    assert.ok(gained.some((k) => now.owns(k, H - 1_500)))
  })

  it('keeps the assignment of each caller when components with different keys plan in turn', () => {
    const { planner: p, builds } = counting()
    const members = [member('a', 'participant', 0), member('b', 'participant', 0)]
    const [first, second] = [keys.slice(0, 120), keys.slice(80)]
    for (let round = 0; round < 3; round++) {
      p.plan({ self: 'a', members, ready: true, nowMs: 1_000 }, first, 'scrape.first')
      p.plan({ self: 'a', members, ready: true, nowMs: 1_000 }, second, 'scrape.second')
    }
    assert.deepEqual(builds, { ring: 1, 'derived ring': 0, assignment: 2 })
  })
})

describe('pendingHandoffs', () => {
  it('lists the announced instants still ahead, ascending and without viewers', () => {
    const members = [member('a', 'participant', 300), member('b', 'terminating', 100), member('c', 'viewer', 50), member('d', 'participant', 20)]
    assert.deepEqual(pendingHandoffs(members, 50), [100, 300])
  })
})
