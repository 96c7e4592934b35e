import { describe, it, before } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { createKeyHasher, type KeyHasher } from '../../../src/util/label-hash.js'
import {
  assignOwners,
  buildRing,
  memberCapacity,
  ownedCounts,
  participantNames,
  ringWith,
  ringWithout,
  type RingMember,
  type TokenRing
} from '../../../src/cluster/ring.js'

const participants = (count: number, from = 0): RingMember[] =>
  Array.from({ length: count }, (_, i) => ({ name: `node-${i + from}`, state: 'participant' as const }))

/** Realistic target keys: what discovery gives for pods (address + service name). */
function targetKeys(hasher: KeyHasher, count: number, subnet = 0): bigint[] {
  return Array.from({ length: count }, (_, i) =>
    hasher.targetKey({
      __address__: `10.${subnet}.${(i >> 8) & 255}.${i & 255}:${4000 + (i % 7)}`,
      service_name: `svc-${i % 97}`
    })
  )
}

function shuffled<T>(items: readonly T[], seed: number): T[] {
  const out = [...items]
  let state = seed
  for (let i = out.length - 1; i > 0; i--) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0
    const j = state % (i + 1)
    ;[out[i], out[j]] = [out[j] as T, out[i] as T]
  }
  return out
}

/** The ring by definition: every member's tokens in one list sorted by (token, member name). */
function referenceOrder(names: readonly string[], tokensOf: (name: string) => bigint[]): string[] {
  const all = names.flatMap((name) => tokensOf(name).map((token) => ({ token, name })))
  all.sort((a, b) => (a.token < b.token ? -1 : a.token > b.token ? 1 : a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
  return all.map((t) => `${t.token}/${t.name}`)
}

describe('buildRing merge', () => {
  it('orders tokens as one sort by (token, name) would, equal tokens and 64-bit halves included', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 9 }), fc.array(fc.bigUint(2n ** 64n - 1n), { minLength: 1, maxLength: 12 }), (count, pool) => {
        const names = Array.from({ length: count }, (_, i) => `m${i}`)
        // Tokens drawn from a small pool, so members share tokens and ties must go to the smaller name.
        const tokensOf = (name: string): bigint[] => Array.from({ length: 6 }, (_, t) => pool[(name.charCodeAt(1) * 7 + t * 3) % pool.length] as bigint)
        const fake = { memberTokens: (name: string) => BigUint64Array.from(tokensOf(name)) }
        const ring = buildRing(names.map((name) => ({ name, state: 'participant' as const })), fake, { tokensPerMember: 6 })
        const got = Array.from(ring.tokens, (token, i) => `${token}/${ring.members[ring.tokenMembers[i] as number]}`)
        assert.deepEqual(got, referenceOrder(names, tokensOf))
      })
    )
  })
})

describe('ringWith and ringWithout', () => {
  const layout = (ring: TokenRing): string[] => Array.from(ring.tokens, (token, i) => `${token}/${ring.members[ring.tokenMembers[i] as number]}`)
  it('derive exactly the ring buildRing makes of the members with one more or one less, shared tokens and any name order included', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.string({ minLength: 1, maxLength: 3, unit: fc.constantFrom('a', 'b', 'é', '\u{1F600}', '\uE000') }), { minLength: 1, maxLength: 8 }),
        fc.array(fc.bigUint(2n ** 64n - 1n), { minLength: 1, maxLength: 12 }),
        fc.nat(),
        (names, pool, pick) => {
          // Tokens from a small pool, so members share tokens and ties must go to the smaller name.
          const tokensOf = (name: string): bigint[] => Array.from({ length: 6 }, (_, t) => pool[([...name].reduce((h, c) => h * 31 + (c.codePointAt(0) as number), 7) + t * 3) % pool.length] as bigint)
          const fake = { memberTokens: (name: string) => BigUint64Array.from(tokensOf(name)) }
          const ring = (of: readonly string[]): TokenRing => buildRing(of.map((name) => ({ name, state: 'participant' as const })), fake, { tokensPerMember: 6 })
          const one = names[pick % names.length] as string
          const others = names.filter((n) => n !== one)
          const whole = ring(names)
          const grown = ringWith(ring(others), one, fake, { tokensPerMember: 6 })
          assert.deepEqual(grown.members, whole.members)
          assert.deepEqual(layout(grown), layout(whole))
          const shrunk = ringWithout(whole, one)
          assert.deepEqual(shrunk.members, ring(others).members)
          assert.deepEqual(layout(shrunk), layout(ring(others)))
        }
      ),
      { numRuns: 300, seed: 11 }
    )
  })

  it('refuses to remove a member that is not in the ring', () => {
    const hasher = { memberTokens: (name: string) => BigUint64Array.from([BigInt(name.length)]) }
    assert.throws(() => ringWithout(buildRing([{ name: 'a', state: 'participant' }], hasher, { tokensPerMember: 1 }), 'b'), /not a participant/)
  })
})

describe('buildRing', () => {
  let hasher: KeyHasher
  let keys: bigint[]
  before(async () => {
    hasher = await createKeyHasher()
    keys = targetKeys(hasher, 2000)
  })

  it('gives every key exactly one owner, and always a participant', () => {
    const ring = buildRing(participants(5), hasher, { tokensPerMember: 256 })
    const owners = assignOwners(keys, ring)
    assert.equal(owners.size, new Set(keys).size)
    for (const key of keys) {
      assert.ok(ring.members.includes(ring.owner(key) as string))
      assert.ok(ring.members.includes(owners.get(key) as string))
    }
  })

  it('gives terminating and viewer members nothing', () => {
    const members: RingMember[] = [
      ...participants(3),
      { name: 'leaving', state: 'terminating' },
      { name: 'starting', state: 'viewer' }
    ]
    const ring = buildRing(members, hasher, { tokensPerMember: 256 })
    assert.deepEqual(ring.members, ['node-0', 'node-1', 'node-2'])
    const counts = ownedCounts(ring, keys)
    assert.equal(counts.has('leaving'), false)
    assert.equal(counts.has('starting'), false)
    assert.equal([...counts.values()].reduce((a, b) => a + b, 0), new Set(keys).size)
  })

  it('treats a name announced both as participant and terminating as terminating, in any order', () => {
    const a = participantNames([{ name: 'x', state: 'participant' }, { name: 'x', state: 'terminating' }])
    const b = participantNames([{ name: 'x', state: 'terminating' }, { name: 'x', state: 'participant' }])
    assert.deepEqual(a, [])
    assert.deepEqual(b, [])
  })

  it('has no owner at all when nobody participates', () => {
    const ring = buildRing([{ name: 'v', state: 'viewer' }], hasher)
    assert.equal(ring.owner(keys[0] as bigint), undefined)
    assert.equal(assignOwners(keys, ring).size, 0)
  })

  it('agrees on every key whatever order the members and keys come in (verifyLookupInvariants)', () => {
    const members = participants(7)
    const reference = buildRing(members, hasher, { tokensPerMember: 256 })
    const referenceOwners = assignOwners(keys, reference)
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 31 }), (seed) => {
        const ring = buildRing(shuffled(members, seed), hasher, { tokensPerMember: 256 })
        const owners = assignOwners(shuffled(keys, seed + 1), ring)
        for (const key of keys) {
          assert.equal(ring.owner(key), reference.owner(key))
          assert.equal(owners.get(key), referenceOwners.get(key))
        }
      }),
      { numRuns: 5 }
    )
  })

  it('moves keys only to a member that joins, on the plain ring', () => {
    const before = buildRing(participants(6), hasher, { tokensPerMember: 512 })
    const after = buildRing(participants(7), hasher, { tokensPerMember: 512 })
    let moved = 0
    for (const key of keys) {
      if (before.owner(key) !== after.owner(key)) {
        moved++
        assert.equal(after.owner(key), 'node-6')
      }
    }
    assert.ok(moved > 0)
  })

  it('moves only the keys of a member that leaves, on the plain ring', () => {
    const before = buildRing(participants(6), hasher, { tokensPerMember: 512 })
    const after = buildRing([...participants(5), { name: 'node-5', state: 'terminating' }], hasher, {
      tokensPerMember: 512
    })
    for (const key of keys) {
      if (before.owner(key) !== 'node-5') assert.equal(after.owner(key), before.owner(key))
    }
  })
})

describe('assignOwners', () => {
  let hasher: KeyHasher
  before(async () => {
    hasher = await createKeyHasher()
  })

  it('keeps every member within the load factor, where the plain ring does not have to', () => {
    const keys = targetKeys(hasher, 3000, 1)
    const ring = buildRing(participants(10), hasher, { tokensPerMember: 64 })
    const bounded = [...ownedCounts(ring, keys).values()]
    const plain = [...ownedCounts(ring, keys, Number.POSITIVE_INFINITY).values()]
    assert.ok(Math.max(...bounded) <= memberCapacity(3000, 10, 1.05))
    assert.ok(Math.max(...bounded) / 300 <= 1.05)
    // With 64 tokens the plain ring is visibly uneven, which is what the bound corrects.
    assert.ok(Math.max(...plain) / 300 > 1.05)
    assert.equal(bounded.reduce((a, b) => a + b, 0), 3000)
  })

  it('balances 10 members with the default tokens within loose bounds', () => {
    const keys = targetKeys(hasher, 5000, 2)
    const ring = buildRing(participants(10), hasher)
    const plain = [...ownedCounts(ring, keys, Number.POSITIVE_INFINITY).values()]
    assert.ok(Math.max(...plain) / 500 < 1.2, `plain max/mean ${Math.max(...plain) / 500}`)
    assert.ok(Math.min(...plain) / 500 > 0.8, `plain min/mean ${Math.min(...plain) / 500}`)
  })

  it('moves about 1/11 of the keys when an 11th member joins', () => {
    const keys = targetKeys(hasher, 5000, 3)
    const before = assignOwners(keys, buildRing(participants(10), hasher))
    const after = assignOwners(keys, buildRing(participants(11), hasher))
    let moved = 0
    let movedElsewhere = 0
    for (const key of keys) {
      if (before.get(key) !== after.get(key)) {
        moved++
        if (after.get(key) !== 'node-10') movedElsewhere++
      }
    }
    const ratio = moved / keys.length / (1 / 11)
    assert.ok(ratio > 0.8 && ratio < 1.3, `moved ${ratio} x ideal`)
    // Only the bound moves keys between old members, and only a few.
    assert.ok(movedElsewhere < keys.length * 0.02, `moved between old members: ${movedElsewhere}`)
  })

  it('never gives one member more than an even share plus the factor, even with one key', () => {
    const ring = buildRing(participants(3), hasher, { tokensPerMember: 16 })
    assert.equal(memberCapacity(1, 3, 1.05), 1)
    assert.equal(assignOwners([42n], ring).size, 1)
    assert.equal(memberCapacity(10_000, 10, 1.05), 1050)
  })
})
