import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { Registry } from 'prom-client'
import { metricValue } from '../../../../helpers/metrics.js'
import { LatestProfiles } from '../../../../../src/components/pyroscope/scrape/latest-profiles.js'
import type { LatestProfileInfo } from '../../../../../src/components/pyroscope/scrape/latest-profiles.js'

function info(id: string): Omit<LatestProfileInfo, 'bytes' | 'not_kept'> {
  return { component: 'pyroscope.scrape.a', id, job: 'j', profile_type: 'memory', url: `http://t/${id}`, labels: { service_name: 's' }, time: '2025-01-01T00:00:00.000Z' }
}

describe('latest profiles kept for the UI', () => {
  it('keeps the last body of each loop, replacing the previous one', () => {
    const latest = new LatestProfiles({ maxBytes: 1000 })
    latest.keep(info('a'), new Uint8Array(10).fill(1))
    latest.keep(info('a'), new Uint8Array(20).fill(2))
    latest.keep(info('b'), new Uint8Array(30))
    assert.equal(latest.get('pyroscope.scrape.a', 'a')?.body?.[0], 2)
    assert.equal(latest.get('pyroscope.scrape.a', 'a')?.info.bytes, 20)
    assert.equal(latest.bytes(), 50)
    assert.deepEqual(latest.list().map((p) => p.id), ['a', 'b'])
  })

  it('stays within its bound by dropping the bodies updated longest ago, and counts them', async () => {
    const registry = new Registry()
    const latest = new LatestProfiles({ maxBytes: 100, metrics: registry })
    latest.keep(info('a'), new Uint8Array(25))
    latest.keep(info('b'), new Uint8Array(25))
    latest.keep(info('c'), new Uint8Array(25))
    latest.keep(info('a'), new Uint8Array(25)) // a is now the newest
    latest.keep(info('d'), new Uint8Array(25))
    latest.keep(info('e'), new Uint8Array(25))
    assert.ok(latest.bytes() <= 100)
    assert.deepEqual(latest.list().map((p) => p.id).sort(), ['a', 'c', 'd', 'e'])
    assert.equal(await metricValue(registry, 'shardscope_latest_profiles_dropped_total', { reason: 'evicted' }), 1)
    assert.equal(await metricValue(registry, 'shardscope_latest_profiles_bytes'), 100)
    assert.equal(await metricValue(registry, 'shardscope_latest_profiles'), 4)
  })

  it('does not keep a body larger than a quarter of the bound, and says why', async () => {
    const registry = new Registry()
    const latest = new LatestProfiles({ maxBytes: 100, metrics: registry })
    latest.keep(info('small'), new Uint8Array(20))
    latest.keep(info('huge'), new Uint8Array(26))
    const huge = latest.get('pyroscope.scrape.a', 'huge')
    assert.equal(huge?.body, undefined)
    assert.match(huge?.info.not_kept ?? '', /26 bytes\) is larger than the 25 bytes kept per profile/)
    assert.ok(latest.get('pyroscope.scrape.a', 'small')?.body, 'the others stay')
    assert.equal(await metricValue(registry, 'shardscope_latest_profiles_dropped_total', { reason: 'too_large' }), 1)
  })

  it('forgets a loop that stops, and copies a body that shares its memory', () => {
    const latest = new LatestProfiles({ maxBytes: 1000 })
    const slab = new Uint8Array(500)
    latest.keep(info('a'), slab.subarray(10, 20))
    assert.equal(latest.get('pyroscope.scrape.a', 'a')?.body?.buffer.byteLength, 10)
    latest.forget('pyroscope.scrape.a', 'a')
    assert.equal(latest.get('pyroscope.scrape.a', 'a'), undefined)
    assert.equal(latest.bytes(), 0)
  })
})
