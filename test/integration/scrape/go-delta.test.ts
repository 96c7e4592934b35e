import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { gunzipSync } from 'node:zlib'
import { Profile } from 'pprof-format'
import { scrapeOnce } from '../../../src/components/pyroscope/scrape/scraper.js'
import { DeltaComputer, deltaValueTypesFor } from '../../../src/pprof/index.js'
import { createTestHttpClient } from '../../helpers/bad-targets.js'
import { startGoTarget } from '../../helpers/go-target.js'
import type { GoTarget } from '../../helpers/go-target.js'

const MiB = 1024 * 1024
const WAIT_MS = 10_000

/**
 * An independent reading of a profile: sample identity as readable text (functions, files, lines,
 * labels) → summed values. The oracle the delta is checked against.
 */
function readSamples(profile: Profile): Map<string, bigint[]> {
  const str = (i: number | bigint): string => profile.stringTable.strings[Number(i)] ?? ''
  const fns = new Map(profile.function.map((f) => [Number(f.id), f]))
  const locs = new Map(profile.location.map((l) => [Number(l.id), l]))
  const out = new Map<string, bigint[]>()
  for (const sample of profile.sample) {
    const stack = sample.locationId.map((id) => {
      const loc = locs.get(Number(id))
      return (loc?.line ?? []).map((line) => `${str(fns.get(Number(line.functionId))?.name ?? 0)} ${str(fns.get(Number(line.functionId))?.filename ?? 0)}:${line.line}`).join('|')
    })
    const labels = sample.label.map((l) => `${str(l.key)}=${str(l.str)}${l.num}${str(l.numUnit)}`).sort()
    const key = `${stack.join(';')} {${labels.join(',')}}`
    const values = sample.value.map((v) => BigInt(v))
    const sum = out.get(key)
    out.set(key, sum === undefined ? values : sum.map((v, i) => v + (values[i] ?? 0n)))
  }
  return out
}

function deltaIndices(profile: Profile, names: readonly string[]): number[] {
  return profile.sampleType.flatMap((vt, i) => (names.includes(profile.stringTable.strings[Number(vt.type)] ?? '') ? [i] : []))
}

/** What the delta must contain: b − a on the delta indices, b elsewhere, all-zero samples left out. */
function expectedDelta(a: Map<string, bigint[]>, b: Map<string, bigint[]>, indices: number[]): Map<string, bigint[]> {
  const out = new Map<string, bigint[]>()
  for (const [key, now] of b) {
    const before = a.get(key)
    const diffs = indices.map((i) => (now[i] ?? 0n) - (before?.[i] ?? 0n))
    const values = [...now]
    if (before !== undefined && diffs.every((d) => d >= 0n)) indices.forEach((idx, n) => (values[idx] = diffs[n] ?? 0n))
    if (values.some((v) => v !== 0n)) out.set(key, values)
  }
  return out
}

describe('DeltaComputer on real Go profiles', () => {
  let target: GoTarget
  const client = createTestHttpClient()
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

      // Scrape again until a busy stack seen in both scrapes has grown (it does within milliseconds).
      const deadline = Date.now() + WAIT_MS
      for (;;) {
        const current = await scrape(path, profileType)
        const result = await delta.compute(current)
        assert.ok(result.ok && result.body !== null, result.ok ? 'no body after the baseline' : result.reason)
        const sent = readSamples(Profile.decode(gunzipSync(result.body)))
        const before = readSamples(previous)
        const grown = [...sent.keys()].find((key) => key.includes(busy) && before.has(key))
        if (grown === undefined) {
          assert.ok(Date.now() < deadline, `no growing ${busy} sample within ${WAIT_MS} ms`)
          previous = current
          continue
        }
        const now = readSamples(current)
        const indices = deltaIndices(current, valueTypes.map((v) => v.type))
        assert.equal(indices.length, 2)
        for (const i of indices) {
          assert.equal(sent.get(grown)?.[i], (now.get(grown)?.[i] ?? 0n) - (before.get(grown)?.[i] ?? 0n), 'sent as b − a')
        }
        assert.deepEqual(sent, expectedDelta(before, now, indices), 'every sample as the oracle says')
        assert.ok(now.has([...now.keys()].find((k) => k.includes(oneShot)) ?? ''), `${oneShot} is still in the scrape`)
        assert.ok(![...sent.keys()].some((k) => k.includes(oneShot)), `${oneShot} did not change, so it is not sent`)
        break
      }

      delta.reset()
      assert.equal(delta.stateBytes(), 0)
      assert.deepEqual(await delta.compute(previous), { ok: true, body: null }, 'after reset the next scrape is a baseline again')
    })
  }
})
