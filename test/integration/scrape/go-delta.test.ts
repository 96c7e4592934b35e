import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { gunzipSync } from 'node:zlib'
import { Profile } from 'pprof-format'
import { scrapeOnce } from '../../../src/components/pyroscope/scrape/scraper.js'
import { DeltaComputer, deltaValueTypesFor } from '../../../src/pprof/index.js'
import { startGoTarget } from '../../helpers/go-target.js'
import type { GoTarget } from '../../helpers/go-target.js'
import { createTestHttpClient } from '../../helpers/http.js'
import { deltaIndices, expectedDelta, readSamples } from '../../helpers/delta-oracle.js'
import { waitFor } from '../../helpers/wait-for.js'

const MiB = 1024 * 1024
const WAIT_MS = 10_000

describe('DeltaComputer on real Go profiles', () => {
  let target: GoTarget
  const client = createTestHttpClient({ followRedirects: true })
  const stop = new AbortController()

  before(async () => {
    target = await startGoTarget()
  })
  after(async () => {
    stop.abort()
    await client.close()
    await target?.stop()
  })

  async function scrape(path: string, profileType: string): Promise<Profile> {
    const outcome = await scrapeOnce(
      client,
      { url: `http://${target.address}${path}`, timeoutMs: 5_000, bodyLimitBytes: 16 * MiB, profileType },
      stop.signal
    )
    assert.ok(outcome.ok, outcome.ok ? '' : outcome.reason)
    return outcome.profile
  }

  const cases = [
    { profileType: 'memory', path: '/debug/pprof/allocs', busy: 'main.allocate', oneShot: 'main.oneShotAlloc' },
    { profileType: 'mutex', path: '/debug/pprof/mutex', busy: 'main.contendMutex', oneShot: 'main.oneShotMutex' },
    { profileType: 'block', path: '/debug/pprof/block', busy: 'main.blockOnChannel', oneShot: 'main.oneShotBlock' }
  ]

  for (const { profileType, path, busy, oneShot } of cases) {
    it(`sends b − a for ${path} samples, drops unchanged ones, and starts with a baseline`, async () => {
      const valueTypes = deltaValueTypesFor(profileType) ?? []
      const delta = new DeltaComputer({ valueTypes })
      let previous = await scrape(path, profileType)
      assert.deepEqual(await delta.compute(previous), { ok: true, body: null }, 'the first scrape is the baseline')
      assert.ok(delta.stateBytes() > 0)
      assert.ok([...readSamples(previous).keys()].some((k) => k.includes(oneShot)), `${oneShot} is in the baseline`)

      // Scrape again until a busy stack seen in both scrapes has grown (it does within milliseconds). A delta
      // that fails ends the wait, to be asserted below.
      const step = await waitFor(
        async () => {
          const current = await scrape(path, profileType)
          const result = await delta.compute(current)
          if (!result.ok || result.body === null) return { failure: result.ok ? 'no body after the baseline' : result.reason }
          const sent = readSamples(Profile.decode(gunzipSync(result.body)))
          const before = readSamples(previous)
          const grown = [...sent.keys()].find((key) => key.includes(busy) && before.has(key))
          if (grown !== undefined) return { current, sent, before, grown }
          previous = current
          return undefined
        },
        { timeoutMs: WAIT_MS, what: `a growing ${busy} sample` }
      )
      assert.ok(!('failure' in step), 'failure' in step ? step.failure : '')
      const { current, sent, before, grown } = step
      const now = readSamples(current)
      const indices = deltaIndices(current, valueTypes.map((v) => v.type))
      assert.equal(indices.length, 2)
      for (const i of indices) {
        assert.equal(sent.get(grown)?.[i], (now.get(grown)?.[i] ?? 0n) - (before.get(grown)?.[i] ?? 0n), 'sent as b − a')
      }
      assert.deepEqual(sent, expectedDelta(before, now, indices), 'every sample as the oracle says')
      assert.ok(now.has([...now.keys()].find((k) => k.includes(oneShot)) ?? ''), `${oneShot} is still in the scrape`)
      assert.ok(![...sent.keys()].some((k) => k.includes(oneShot)), `${oneShot} did not change, so it is not sent`)

      delta.reset()
      assert.equal(delta.stateBytes(), 0)
      assert.deepEqual(await delta.compute(previous), { ok: true, body: null }, 'after reset the next scrape is a baseline again')
    })
  }
})
