import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { gunzipSync } from 'node:zlib'
import { Profile } from 'pprof-format'
import { scrapeOnce } from '../../../src/components/pyroscope/scrape/scraper.js'
import { startGoTarget } from '../../helpers/go-target.js'
import type { GoTarget } from '../../helpers/go-target.js'
import { createTestHttpClient } from '../../helpers/http.js'

const MiB = 1024 * 1024

/** Alloy's five default profile types (docs/components.md "Default profile types"), the CPU one shortened to 1 s. */
const DEFAULT_TYPES = [
  { profileType: 'memory', path: '/debug/pprof/allocs', sampleType: 'alloc_space' },
  { profileType: 'block', path: '/debug/pprof/block', sampleType: 'delay' },
  { profileType: 'goroutine', path: '/debug/pprof/goroutine', sampleType: 'goroutine' },
  { profileType: 'mutex', path: '/debug/pprof/mutex', sampleType: 'delay' },
  { profileType: 'process_cpu', path: '/debug/pprof/profile?seconds=1', sampleType: 'cpu' }
]

describe('scrapeOnce against the real Go pprof target', () => {
  let target: GoTarget
  const client = createTestHttpClient({ followRedirects: true })
  const stop = new AbortController()

  before(async () => {
    target = await startGoTarget({ service: 'scrape-test' })
  })
  after(async () => {
    stop.abort()
    await client.close()
    await target?.stop()
  })

  for (const { profileType, path, sampleType } of DEFAULT_TYPES) {
    it(`scrapes ${path} and gets a gzipped profile with ${sampleType} samples`, async () => {
      const outcome = await scrapeOnce(
        client,
        { url: `http://${target.address}${path}`, timeoutMs: 10_000, bodyLimitBytes: 16 * MiB, profileType },
        stop.signal
      )
      assert.equal(outcome.ok, true, outcome.ok ? '' : outcome.reason)
      if (!outcome.ok) return
      // Go serves gzip without Content-Encoding; the body is kept exactly as received.
      assert.deepEqual([...outcome.body.subarray(0, 2)], [0x1f, 0x8b])
      const decoded = Profile.decode(gunzipSync(outcome.body))
      const strings = decoded.stringTable.strings
      assert.ok(decoded.sampleType.some((vt) => strings[Number(vt.type)] === sampleType))
      assert.equal(outcome.profile.sample.length, decoded.sample.length)
      assert.ok(decoded.sample.length > 0, 'the target keeps every profile busy')
      assert.ok(outcome.durationMs > 0)
    })
  }

  it('reports the 404 Go gives for a profile it does not have', async () => {
    const outcome = await scrapeOnce(
      client,
      { url: `http://${target.address}/debug/pprof/delta_heap`, timeoutMs: 5_000, bodyLimitBytes: MiB, profileType: 'memory' },
      stop.signal
    )
    assert.deepEqual(outcome.ok ? outcome : { code: outcome.code, reason: outcome.reason }, {
      code: 'SCRAPE_HTTP_STATUS',
      reason: 'server returned HTTP status (404) Unknown profile'
    })
  })
})
