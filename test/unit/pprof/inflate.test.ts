import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { gunzipSync, gzipSync } from 'node:zlib'
import { DEFAULT_PROFILE_BUDGET, ProfileMeter, checkProfileAsync, inflateMetered, measureProfile } from '../../../src/pprof/index.js'
import { INFLATE_CHUNK_BYTES } from '../../../src/pprof/inflate.js'
import { samplePprof } from '../../helpers/bad-targets.js'
import { repeated, sampleBomb, validManySamples } from '../../helpers/hostile-bodies.js'

const OCTET = 'application/octet-stream'
const CAP = 256 * 1024 * 1024

/** Feeds `raw` to a meter in pieces of `piece` bytes, as an inflate hands them out. */
function meterInPieces(raw: Uint8Array, bodyBytes: number, piece: number): ReturnType<typeof measureProfile> {
  const meter = new ProfileMeter(bodyBytes)
  for (let end = Math.min(piece, raw.length); ; end = Math.min(end + piece, raw.length)) {
    const refusal = meter.feed(raw, end)
    if (refusal !== undefined) return refusal
    if (end === raw.length) return meter.finish(end)
  }
}

describe('ProfileMeter', () => {
  it('gives measureProfile’s verdict and counts whatever the pieces the bytes come in', () => {
    const bodies: [string, Uint8Array, number][] = [
      ['a small valid profile', samplePprof(), 100],
      ['5,000 valid samples', gunzipSync(validManySamples(5_000)), 1_000],
      ['the sample bomb', gunzipSync(sampleBomb(400_000)), 3_000],
      ['a profile cut inside a field', samplePprof().subarray(0, samplePprof().length - 3), 100]
    ]
    for (const [name, raw, bodyBytes] of bodies) {
      const whole = measureProfile(raw, bodyBytes)
      for (const piece of [1, 7, 4096, 65_536]) assert.deepEqual(meterInPieces(raw, bodyBytes, piece), whole, `${name} in pieces of ${piece}`)
    }
  })

  it('refuses a string longer than the budget as soon as its length is read', () => {
    const length = 30_000_000
    const head = Buffer.from([0x32, 0x80 | (length & 0x7f), 0x80 | ((length >> 7) & 0x7f), 0x80 | ((length >> 14) & 0x7f), length >> 21])
    const meter = new ProfileMeter(1_000)
    const refusal = meter.feed(Buffer.concat([head, Buffer.alloc(10)]), head.length + 10)
    assert.equal(refusal?.ok, false)
    if (refusal !== undefined && !refusal.ok) assert.match(refusal.reason, /^profile exceeds the decoding budget: at least .* 1 strings would decode/)
  })
})

describe('inflateMetered', () => {
  it('stops inflating the sample bomb once what came out passes the budget, far before its 8 MB', async () => {
    const bomb = sampleBomb()
    const result = await inflateMetered(bomb, 32 * 1024 * 1024, new ProfileMeter(bomb.length))
    assert.ok('refusal' in result, 'refused by the walk')
    if (!('refusal' in result)) return
    assert.equal(result.refusal.code, 'PPROF_OVER_BUDGET')
    // The budget (16 MiB at 160 bytes a sample) passes after about 105 k samples of 2 bytes; one more piece may be out.
    assert.ok(result.inflatedBytes <= 210_000 + INFLATE_CHUNK_BYTES + 4096 * 2, `${result.inflatedBytes} bytes inflated`)
  })

  it('stops at once on a body whose first string is longer than the budget', async () => {
    const length = 30_000_000
    const head = [0x32, 0x80 | (length & 0x7f), 0x80 | ((length >> 7) & 0x7f), 0x80 | ((length >> 14) & 0x7f), length >> 21]
    const body = gzipSync(Buffer.concat([Buffer.from(head), Buffer.alloc(length)]), { level: 9 })
    const result = await inflateMetered(body, 64 * 1024 * 1024, new ProfileMeter(body.length))
    assert.ok('refusal' in result && result.inflatedBytes <= INFLATE_CHUNK_BYTES, JSON.stringify('refusal' in result ? result.inflatedBytes : result))
  })

  it('inflates a valid profile whole and leaves the meter at its end', async () => {
    const body = validManySamples(20_000)
    const meter = new ProfileMeter(body.length, { ...DEFAULT_PROFILE_BUDGET, minDecodedBytes: 64 * 1024 * 1024 })
    const result = await inflateMetered(body, CAP, meter)
    assert.ok(result.ok, JSON.stringify(result))
    if (!result.ok) return
    assert.deepEqual(result.data, gunzipSync(body))
    assert.equal(meter.counted, result.data.length)
    assert.equal(meter.finish(result.data.length).ok, true)
  })

  it('refuses corrupt gzip and output past the cap, as the all-at-once inflate does', async () => {
    const gz = gzipSync(samplePprof())
    assert.deepEqual(await inflateMetered(gz.subarray(0, gz.length - 10), CAP, new ProfileMeter(gz.length)), {
      ok: false,
      code: 'PPROF_INVALID_GZIP',
      reason: 'invalid gzip data: unexpected end of file'
    })
    // 1.2 MB of three-letter strings: within the budget, past the cap.
    const big = gzipSync(repeated([0x32, 0x03, 0x61, 0x62, 0x63], 240_000))
    assert.deepEqual(await inflateMetered(big, 1024 * 1024, new ProfileMeter(big.length)), {
      ok: false,
      code: 'PPROF_DECOMPRESSED_TOO_LARGE',
      reason: 'decompressed profile exceeds the limit of 1048576 bytes'
    })
  })
})

describe('checkProfileAsync with streaming inflate', () => {
  it('refuses the bomb on the worker saying how far inflation went', async () => {
    const result = await checkProfileAsync(sampleBomb(), OCTET, { maxDecompressedBytes: CAP })
    assert.equal(result.ok, false)
    if (result.ok) return
    const match = /^invalid profile data: profile exceeds the decoding budget: at least \d+ samples .*; inflating stopped after (\d+) bytes$/.exec(result.reason)
    assert.ok(match, result.reason)
    assert.ok(Number(match[1]) <= 210_000 + INFLATE_CHUNK_BYTES + 4096 * 2, result.reason)
  })

  it('stops at the first field a profile cannot have, and names it as the whole-body check does', async () => {
    const zeros = gzipSync(Buffer.alloc(4 * 1024 * 1024), { level: 1 })
    const result = await checkProfileAsync(zeros, OCTET, { maxDecompressedBytes: CAP })
    assert.equal(result.ok, false)
    if (result.ok) return
    const match = /^invalid profile data: invalid pprof profile: unknown field 0 \(wire type 0\) at offset 0; inflating stopped after (\d+) bytes$/.exec(result.reason)
    assert.ok(match && Number(match[1]) <= INFLATE_CHUNK_BYTES, result.reason)
  })
})
