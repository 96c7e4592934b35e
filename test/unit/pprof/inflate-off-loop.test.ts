/**
 * Gzipped request bodies inflated off the event loop under the check pool's budget
 * (src/pprof/inflate-off-loop.ts, docs/hostile-input.md "Work off the event loop").
 */
import { after, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { gzipSync } from 'node:zlib'
import { CheckPool, sharedCheckPool } from '../../../src/pprof/check-pool.js'
import { SYNC_DECODE_MAX_BYTES } from '../../../src/pprof/check.js'
import { gunzipOffLoop } from '../../../src/pprof/inflate-off-loop.js'
import { watchLoopHolds } from '../../helpers/loop-hold.js'

const MiB = 1024 * 1024
after(() => sharedCheckPool().close())

describe('gunzipOffLoop', () => {
  it('inflates a small body inline, and a bomb on the worker while the event loop stays free', async (t) => {
    const small = await gunzipOffLoop(gzipSync(Buffer.from('a;b 1\n')), 64 * MiB)
    assert.ok(small.ok)
    assert.equal(small.data.toString(), 'a;b 1\n')
    // 16 KiB on the wire, 32 MiB inflated: past the inline limit at once.
    const bomb = gzipSync(Buffer.alloc(32 * MiB))
    assert.ok(bomb.length < 64 * 1024 && 32 * MiB > SYNC_DECODE_MAX_BYTES)
    assert.ok((await gunzipOffLoop(bomb, 64 * MiB)).ok, 'the worker is started (not measured)')
    const holds = watchLoopHolds()
    t.after(() => holds.stop())
    holds.takeMaxMs()
    const inflated = await gunzipOffLoop(bomb, 64 * MiB)
    const heldMs = holds.takeMaxMs()
    assert.ok(inflated.ok)
    assert.equal(inflated.data.length, 32 * MiB)
    t.diagnostic(`${bomb.length} bytes → 32 MiB: loop held ≤ ${heldMs.toFixed(1)} ms (${holds.cpuTime ? 'CPU' : 'wall'})`)
    assert.ok(heldMs <= 20, `the event loop was held ${heldMs.toFixed(1)} ms`)
  })

  it('refuses past the cap, inline or on the worker, and refuses what is not gzip', async () => {
    assert.deepEqual(await gunzipOffLoop(gzipSync(Buffer.alloc(100_000)), 50_000), {
      ok: false,
      code: 'PPROF_DECOMPRESSED_TOO_LARGE',
      reason: 'decompressed profile exceeds the limit of 50000 bytes'
    })
    const refused = await gunzipOffLoop(gzipSync(Buffer.alloc(8 * MiB)), 4 * MiB)
    assert.equal(refused.ok, false)
    assert.equal(!refused.ok && refused.code, 'PPROF_DECOMPRESSED_TOO_LARGE')
    const garbage = await gunzipOffLoop(Buffer.from('not gzip at all'), MiB)
    assert.equal(!garbage.ok && garbage.code, 'PPROF_INVALID_GZIP')
  })
})

describe('CheckPool.gunzip', () => {
  it('holds concurrent inflations within the budget of bytes in flight: each reserves its body and its cap', async () => {
    const pool = new CheckPool({ workers: 2, maxInflightBytes: 10 * MiB, workerHeapMb: 256 })
    after(() => pool.close())
    const body = gzipSync(Buffer.alloc(4 * MiB))
    const results = await Promise.all(Array.from({ length: 6 }, () => pool.gunzip(body, 6 * MiB)))
    assert.ok(results.every((r) => r.ok && r.data.length === 4 * MiB))
    // Two fit beside each other only if 2 × (6 MiB + body) ≤ 10 MiB: they do not, so one ran at a time.
    assert.equal(pool.peakInflightBytes, 6 * MiB + body.length)
  })
})
