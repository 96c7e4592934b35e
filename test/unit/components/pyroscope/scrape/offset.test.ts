import { before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { createKeyHasher, type KeyHasher } from '../../../../../src/util/label-hash.js'
import { nextScrapeAt, phaseMs, scrapePointsBetween } from '../../../../../src/components/pyroscope/scrape/offset.js'

const key64 = fc.bigUintN(64)
const interval = fc.integer({ min: 1, max: 3_600_000 })
const instant = fc.integer({ min: 0, max: 4_000_000_000_000 })

describe('nextScrapeAt', () => {
  it('gives every node the same phase for a target, whatever the start time', () => {
    fc.assert(
      fc.property(key64, interval, instant, instant, (key, every, startA, startB) => {
        const a = nextScrapeAt(startA, every, key)
        const b = nextScrapeAt(startB, every, key)
        assert.equal(a % every, b % every)
        assert.equal(a % every, phaseMs(key, every))
      })
    )
  })

  it('returns the first scrape instant at or after now, never later than one interval', () => {
    fc.assert(
      fc.property(key64, interval, instant, (key, every, now) => {
        const next = nextScrapeAt(now, every, key)
        assert.ok(next >= now)
        assert.ok(next - now < every)
      })
    )
  })

  it('returns now itself when now is a scrape instant', () => {
    const key = 123_456_789n
    const at = 1_700_000_000_000 - (1_700_000_000_000 % 15_000) + phaseMs(key, 15_000)
    assert.equal(nextScrapeAt(at, 15_000, key), at)
    assert.equal(nextScrapeAt(at + 1, 15_000, key), at + 15_000)
  })

  it('refuses an interval that is not a whole number of milliseconds', () => {
    assert.throws(() => nextScrapeAt(0, 0, 1n), RangeError)
    assert.throws(() => nextScrapeAt(0, 1.5, 1n), RangeError)
  })
})

describe('phaseMs', () => {
  let hasher: KeyHasher
  before(async () => {
    hasher = await createKeyHasher()
  })

  // Keys are xxhash64 digests of target labels, so the random inputs are label sets, not raw integers
  // (fast-check favours small integers, which no real key looks like).
  it('spreads the keys of 1,000 random targets evenly over the interval (each tenth gets 5-15 %)', () => {
    fc.assert(
      fc.property(fc.string(), fc.integer({ min: 2000, max: 300_000 }), (service, every) => {
        const tenths = new Array<number>(10).fill(0)
        for (let i = 0; i < 1000; i++) {
          const key = hasher.targetKey({ __address__: `10.1.${i >> 8}.${i & 255}:8080`, service_name: service })
          const tenth = Math.floor((phaseMs(key, every) / every) * 10)
          tenths[tenth] = (tenths[tenth] ?? 0) + 1
        }
        for (const count of tenths) assert.ok(count >= 50 && count <= 150, `tenths ${tenths.join(',')}`)
      }),
      { numRuns: 20 }
    )
  })

  it('is key mod interval', () => {
    assert.equal(phaseMs(15_001n, 15_000), 1)
    assert.equal(phaseMs(0xffffffffffffffffn, 10), Number(0xffffffffffffffffn % 10n))
  })
})

describe('scrapePointsBetween', () => {
  it('splits a hand-off so that old and new owner together scrape each point once', () => {
    fc.assert(
      fc.property(key64, fc.integer({ min: 1000, max: 60_000 }), instant, fc.integer({ min: 0, max: 600_000 }), (key, every, from, split) => {
        const to = from + 600_000
        const all = scrapePointsBetween(from, to, every, key)
        const old = scrapePointsBetween(from, from + split, every, key)
        const next = scrapePointsBetween(from + split, to, every, key)
        assert.deepEqual([...old, ...next], all)
        for (let i = 1; i < all.length; i++) assert.equal((all[i] as number) - (all[i - 1] as number), every)
      })
    )
  })

  it('is empty for an empty window', () => {
    assert.deepEqual(scrapePointsBetween(100, 100, 10, 3n), [])
  })
})
