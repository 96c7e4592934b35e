/** The scrape-count check the cluster tests rely on (test/helpers/scrape-log-server.ts `cadence`). */
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { cadence } from '../../helpers/scrape-log-server.js'
import type { ScrapeRequest } from '../../helpers/scrape-log-server.js'

const INTERVAL = 4_000
const BASE = 1_700_000_000_000 - (1_700_000_000_000 % INTERVAL)

function series(phase: number, points: number, scrape: (k: number) => { late?: number; node?: string; also?: string } | 'none' = () => ({})): ScrapeRequest[] {
  const out: ScrapeRequest[] = []
  for (let k = 0; k < points; k++) {
    const s = scrape(k)
    if (s === 'none') continue
    const at = BASE + k * INTERVAL + phase
    // On-time scrapes land a few ms after their point.
    out.push({ at: at + 3 + (s.late ?? 0), target: 't1', path: '/p', node: s.node ?? 'a' })
    if (s.also !== undefined) out.push({ at: at + 7, target: 't1', path: '/p', node: s.also })
  }
  return out
}

const check = (requests: ScrapeRequest[], points = 10) => cadence(requests, ['t1/p'], INTERVAL, BASE, BASE + points * INTERVAL)

describe('cadence', () => {
  it('passes one request per point, and a point scraped late (under half an interval) followed by the next on time', () => {
    assert.deepEqual(check(series(1_234, 10)), { series: 1, doubles: [], misses: [] })
    assert.deepEqual(check(series(1_234, 10, (k) => (k === 4 ? { late: 1_900 } : {}))), { series: 1, doubles: [], misses: [] })
  })

  it('finds two requests for one point, by two nodes or by one', () => {
    const two = check(series(1_234, 10, (k) => (k === 6 ? { also: 'b' } : {})))
    assert.equal(two.doubles.length, 1)
    assert.match(two.doubles[0] ?? '', /^t1\/p at \S+ by a@\+0ms\+b@\+4ms$/)
    assert.deepEqual(check(series(1_234, 10, (k) => (k === 6 ? { also: 'a' } : {}))).doubles.length, 1)
  })

  it('finds a point without a request, and a series never scraped', () => {
    const missed = check(series(1_234, 10, (k) => (k === 3 ? 'none' : {})))
    assert.deepEqual(missed.doubles, [])
    assert.equal(missed.misses.length, 1)
    assert.match(missed.misses[0] ?? '', /^t1\/p: nothing for the point at /)
    assert.deepEqual(check([]).misses, ['t1/p: never scraped'])
  })

  it('reads the phase right when on-time scrapes straddle two 100 ms slots, or the interval boundary', () => {
    for (const phase of [95, 3_998]) {
      // Most requests in the later slot: the earliest still sets the phase.
      const requests = series(phase, 10, (k) => ({ late: k % 3 === 0 ? 0 : 6 }))
      const checked = cadence(requests, ['t1/p'], INTERVAL, BASE + INTERVAL, BASE + 10 * INTERVAL)
      assert.deepEqual(checked, { series: 1, doubles: [], misses: [] }, `phase ${phase}`)
    }
  })

  it('reads the phase right from few requests when the first was late', () => {
    // The first point scraped 268 ms late by one node, the next two on time by another, each request's
    // offset in a 100 ms slot of its own: no double, no miss.
    const requests = series(995, 3, (k) => (k === 0 ? { late: 268, node: 'a' } : k === 1 ? { node: 'b' } : { late: 10, node: 'b' }))
    assert.deepEqual(cadence(requests, ['t1/p'], INTERVAL, BASE, BASE + 3 * INTERVAL), { series: 1, doubles: [], misses: [] })
    // The same, with the second point scraped twice: found.
    const doubled = series(995, 3, (k) => (k === 0 ? { late: 268, node: 'a' } : k === 1 ? { node: 'b', also: 'c' } : { late: 10, node: 'b' }))
    assert.equal(cadence(doubled, ['t1/p'], INTERVAL, BASE, BASE + 3 * INTERVAL).doubles.length, 1)
  })
})
