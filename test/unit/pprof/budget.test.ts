import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { gunzipSync, gzipSync } from 'node:zlib'
import { CheckPool, DEFAULT_PROFILE_BUDGET, DeltaComputer, checkProfile, checkProfileAsync, deltaValueTypesFor, measureProfile } from '../../../src/pprof/index.js'
import { samplePprof } from '../../helpers/bad-targets.js'
import { heapSnapshots } from '../../helpers/heap-profiles.js'
import { repeated, sampleBomb, validManySamples } from '../../helpers/hostile-bodies.js'
import { waitFor } from '../../helpers/wait-for.js'

const OCTET = 'application/octet-stream'
const SCRAPE_LIMITS = { maxDecompressedBytes: 256 * 1024 * 1024 }

/** Counts event-loop turns while `work` runs: a check that held the loop would leave it near zero. */
async function loopTurnsDuring<T>(work: () => Promise<T>): Promise<{ result: T; turns: number; longestGapMs: number }> {
  let turns = 0
  let running = true
  let last = performance.now()
  let longestGapMs = 0
  const tick = (): void => {
    const now = performance.now()
    longestGapMs = Math.max(longestGapMs, now - last)
    last = now
    turns++
    if (running) setImmediate(tick)
  }
  setImmediate(tick)
  const result = await work()
  running = false
  return { result, turns, longestGapMs }
}

describe('measureProfile', () => {
  it('counts what a decoder would build from a real profile', () => {
    const measured = measureProfile(samplePprof(), 100)
    assert.equal(measured.ok, true)
    if (!measured.ok) return
    assert.equal(measured.counts.samples, 2)
    assert.equal(measured.counts.sampleLocations, 2)
    assert.equal(measured.counts.sampleValues, 2)
    assert.equal(measured.counts.locations, 1)
    assert.equal(measured.counts.lines, 1)
    assert.equal(measured.counts.functions, 1)
    assert.equal(measured.counts.strings, 5)
  })

  it('refuses 4 M empty samples (8 MB) from a 7.8 KB gzip, naming the counts and the budget', () => {
    const bomb = sampleBomb()
    assert.ok(bomb.length < 8 * 1024, `the bomb is ${bomb.length} bytes on the wire`)
    const measured = measureProfile(gunzipSync(bomb), bomb.length)
    assert.equal(measured.ok, false)
    if (measured.ok) return
    assert.equal(measured.code, 'PPROF_OVER_BUDGET')
    assert.match(measured.reason, /^profile exceeds the decoding budget: at least \d+ samples .* a \d+-byte body may decode to at most 16 MiB/)
  })

  it('refuses a sample with more location ids than the per-sample limit', () => {
    const ids = DEFAULT_PROFILE_BUDGET.maxLocationsPerSample + 1
    const packed = repeated([0x01], ids)
    const length = [0x80 | (packed.length & 0x7f), packed.length >> 7]
    const inner = Buffer.concat([Buffer.from([0x0a, ...length]), packed])
    const sample = Buffer.concat([Buffer.from([0x12, 0x80 | (inner.length & 0x7f), inner.length >> 7]), inner])
    const measured = measureProfile(sample, sample.length)
    assert.equal(measured.ok, false)
    if (!measured.ok) assert.equal(measured.reason, `profile exceeds the decoding budget: sample 0 has ${ids} location ids, more than the limit of ${DEFAULT_PROFILE_BUDGET.maxLocationsPerSample}`)
  })
})

describe('checkProfileAsync under hostile bodies', () => {
  it('refuses the sample bomb with a clear reason, on a worker: the event loop keeps turning', async () => {
    const { result, turns } = await loopTurnsDuring(() => checkProfileAsync(sampleBomb(), OCTET, SCRAPE_LIMITS))
    assert.equal(result.ok, false)
    if (!result.ok) {
      assert.equal(result.code, 'PPROF_OVER_BUDGET')
      assert.match(result.reason, /^invalid profile data: profile exceeds the decoding budget: at least \d+ samples/)
    }
    assert.ok(turns > 1, `the event loop turned ${turns} times`)
  })

  it('refuses a valid 500,000-sample profile of 6 KB: valid, but far past the budget of its size', async () => {
    const body = validManySamples()
    assert.ok(body.length < 8 * 1024)
    const result = await checkProfileAsync(body, OCTET, SCRAPE_LIMITS)
    assert.equal(result.ok, false)
    if (!result.ok) assert.equal(result.code, 'PPROF_OVER_BUDGET')
  })

  it('accepts the same profile when the budget allows it: the refusal is the budget, not the profile', async () => {
    const body = validManySamples(20_000)
    const generous = { ...DEFAULT_PROFILE_BUDGET, minDecodedBytes: 64 * 1024 * 1024 }
    const result = await checkProfileAsync(body, OCTET, { ...SCRAPE_LIMITS, budget: generous })
    assert.equal(result.ok, true)
    if (result.ok) assert.equal(result.profile.sample.length, 20_000)
    const strict = await checkProfileAsync(body, OCTET, { ...SCRAPE_LIMITS, budget: { ...DEFAULT_PROFILE_BUDGET, minDecodedBytes: 1024 * 1024 } })
    assert.equal(strict.ok, false)
  })

  it('gives the same verdict inline (checkProfile) and on the worker', async () => {
    for (const body of [sampleBomb(100_000), validManySamples(1_000), gzipSync(samplePprof())]) {
      const sync = checkProfile(body, OCTET, SCRAPE_LIMITS)
      const async = await checkProfileAsync(body, OCTET, SCRAPE_LIMITS)
      assert.deepEqual(async.ok ? { ok: true, samples: async.profile.sample.length } : async, sync.ok ? { ok: true, samples: sync.profile.sample.length } : sync)
    }
  })
})

describe('CheckPool', () => {
  it('never holds more than its bytes-in-flight budget, whatever the number of concurrent bad bodies', async (t) => {
    const budget = 40 * 1024 * 1024
    const pool = new CheckPool({ workers: 2, maxInflightBytes: budget, workerHeapMb: 256 })
    t.after(() => pool.close())
    const bomb = sampleBomb()
    const cap = 32 * 1024 * 1024
    const outcomes = await Promise.all(Array.from({ length: 12 }, () => pool.check(bomb, cap, { maxDecompressedBytes: cap, keepRaw: false })))
    for (const o of outcomes) assert.equal(o.ok, false)
    assert.ok(pool.peakInflightBytes <= budget, `peak ${pool.peakInflightBytes} bytes in flight, budget ${budget}`)
    assert.ok(pool.peakInflightBytes > 0)
  })

  it('counts a delta job’s previous totals in its bytes in flight, and computes the delta on the worker', async (t) => {
    const pool = new CheckPool({ workers: 1, maxInflightBytes: 64 * 1024 * 1024, workerHeapMb: 256 })
    t.after(() => pool.close())
    const [first, second] = heapSnapshots({ samples: 2_000, depth: 8, snapshots: 2, functions: 100 }).map((p) => gzipSync(p.encode())) as [Buffer, Buffer]
    const delta = new DeltaComputer({ valueTypes: deltaValueTypesFor('memory') ?? [] })
    const cap = 16 * 1024 * 1024
    const baseline = await pool.check(first, cap, { maxDecompressedBytes: cap, keepRaw: false, delta: delta.input() })
    assert.ok(baseline.ok && baseline.delta !== undefined)
    assert.deepEqual(delta.apply(baseline.delta), { ok: true, body: null })
    assert.equal(pool.peakInflightBytes, first.length + cap, 'no previous totals yet')
    const totals = delta.input().baseline?.bytes.byteLength ?? 0
    assert.ok(totals > 0)
    const next = await pool.check(second, cap, { maxDecompressedBytes: cap, keepRaw: false, delta: delta.input() })
    assert.ok(next.ok && next.delta !== undefined)
    const result = delta.apply(next.delta)
    assert.ok(result.ok && result.body !== null && result.samples > 0)
    assert.equal(pool.peakInflightBytes, Math.max(first.length + cap, second.length + cap + 2 * totals))
  })

  it('stops a worker once it has been idle for idleWorkerMs, and starts one again for the next check', async (t) => {
    const pool = new CheckPool({ workers: 1, maxInflightBytes: 64 * 1024 * 1024, workerHeapMb: 128, idleWorkerMs: 300 })
    t.after(() => pool.close())
    const body = gzipSync(samplePprof())
    const cap = 1024 * 1024
    assert.equal(pool.workers, 0, 'no worker before the first job')
    assert.equal((await pool.check(body, cap, { maxDecompressedBytes: cap, keepRaw: false })).ok, true)
    assert.equal(pool.workers, 1)
    await waitFor(() => pool.workers === 0, { timeoutMs: 10_000, what: 'the idle worker to stop' })
    assert.equal((await pool.check(body, cap, { maxDecompressedBytes: cap, keepRaw: false })).ok, true, 'a new worker checks the next body')
    assert.equal(pool.workers, 1)
  })

  it('drops a queued job whose signal aborts', async (t) => {
    const pool = new CheckPool({ workers: 1, maxInflightBytes: 1, workerHeapMb: 128 })
    t.after(() => pool.close())
    const bomb = sampleBomb(1_000_000)
    const first = pool.check(bomb, 8 * 1024 * 1024, { maxDecompressedBytes: 8 * 1024 * 1024, keepRaw: false })
    const stop = new AbortController()
    const second = pool.check(bomb, 8 * 1024 * 1024, { maxDecompressedBytes: 8 * 1024 * 1024, keepRaw: false }, stop.signal)
    stop.abort(new Error('scrape timed out'))
    await assert.rejects(second, /scrape timed out/)
    assert.equal((await first).ok, false)
  })
})
