import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { gzipSync } from 'node:zlib'
import { checkProfile, precheckProfile } from '../../../src/pprof/index.js'
import { checkProfileAsync } from '../../../src/pprof/index.js'
import { samplePprof } from '../../helpers/bad-targets.js'
import { repeated } from '../../helpers/hostile-bodies.js'

const OCTET = 'application/octet-stream'
const LIMITS = { maxDecompressedBytes: 1024 * 1024 }

function reasonOf(body: Buffer, contentType: string | undefined): string {
  const result = checkProfile(body, contentType, LIMITS)
  assert.equal(result.ok, false, 'expected the body to be refused')
  return result.ok ? '' : result.reason
}

describe('precheckProfile (Alloy validate.go test cases)', () => {
  const html = Buffer.from('<!DOCTYPE html><html><body>oops</body></html>')
  const json = Buffer.from('{"error": "profiling disabled on this host"}')
  const cases: [string, Buffer, string | undefined, string | undefined][] = [
    ['an empty body', Buffer.alloc(0), OCTET, 'empty response from profiling endpoint'],
    ['HTML with text/html', html, 'text/html; charset=utf-8', 'unexpected Content-Type text/html; charset=utf-8, expected application/octet-stream for pprof data'],
    ['JSON with application/json', json, 'application/json', 'unexpected Content-Type application/json, expected application/octet-stream for pprof data'],
    ['HTML without Content-Type', html, undefined, 'missing Content-Type header'],
    ['JSON without Content-Type', json, '', 'missing Content-Type header'],
    [
      'bytes with an illegal wire type',
      Buffer.from([0x1e, 0x01, 0x00, 0x12, 0x04, 0x74, 0x65, 0x73, 0x74]),
      OCTET,
      'invalid protobuf data: illegal wireType 6 (expected 0-5), first bytes: 1e0100120474657374'
    ],
    ['a minimal protobuf message', Buffer.from([0x0a, 0x04, 0x74, 0x65, 0x73, 0x74, 0x10, 0x2a]), OCTET, undefined],
    ['HTML served as octet-stream', html, OCTET, `text response instead of pprof: "<!DOCTYPE html><html><body>oops</body></html>" (server should return HTTP error, not 200)`],
    ['two bytes', Buffer.from([0x0a, 0x00]), OCTET, 'data too short for pprof format']
  ]
  for (const [name, body, contentType, expected] of cases) {
    it(`gives ${expected === undefined ? 'no problem' : JSON.stringify(expected)} for ${name}`, () => {
      assert.equal(precheckProfile(body, contentType)?.reason, expected)
    })
  }

  it('shows only the first 50 bytes of a text body, quoted as Go does', () => {
    const head = '\n  <html>\t"quoted" '
    const body = Buffer.from(`${head}${'x'.repeat(80)}`)
    const reason = precheckProfile(body, OCTET)?.reason ?? ''
    const preview = /^text response instead of pprof: (".*") \(server/.exec(reason)?.[1]
    assert.equal(preview, `"\\n  <html>\\t\\"quoted\\" ${'x'.repeat(50 - head.length)}"`)
  })

  it('treats JSON of 20 bytes or less as possibly binary', () => {
    assert.equal(precheckProfile(Buffer.from('{"a":1}          '), OCTET), undefined)
  })
})

describe('checkProfile', () => {
  it('accepts a gzipped pprof profile and says it was gzipped', () => {
    const result = checkProfile(gzipSync(samplePprof()), OCTET, LIMITS)
    assert.equal(result.ok, true)
    if (!result.ok) return
    assert.equal(result.gzipped, true)
    assert.equal(result.profile.sample.length, 2)
  })

  it('accepts a plain pprof profile', () => {
    const result = checkProfile(samplePprof(), 'application/octet-stream; charset=binary', LIMITS)
    assert.equal(result.ok, true)
    if (result.ok) assert.equal(result.gzipped, false)
  })

  it('wraps every reason as Alloy does', () => {
    assert.equal(reasonOf(Buffer.alloc(0), OCTET), 'invalid profile data: empty response from profiling endpoint')
  })

  it('refuses a truncated gzip stream', () => {
    const gz = gzipSync(samplePprof())
    assert.equal(reasonOf(gz.subarray(0, gz.length - 10), OCTET), 'invalid profile data: invalid gzip data: unexpected end of file')
  })

  it('refuses a corrupt gzip stream', () => {
    const gz = Buffer.from(gzipSync(samplePprof()))
    gz.fill(0xff, 10, 30)
    assert.match(reasonOf(gz, OCTET), /^invalid profile data: invalid gzip data: /)
  })

  it('refuses a gzip bomb once the inflated size passes the limit', () => {
    const bomb = gzipSync(Buffer.alloc(8 * 1024 * 1024), { level: 9 })
    assert.ok(bomb.length < 64 * 1024, 'the bomb is small on the wire')
    const result = checkProfile(bomb, OCTET, { maxDecompressedBytes: 1024 * 1024 })
    assert.deepEqual(result, {
      ok: false,
      code: 'PPROF_DECOMPRESSED_TOO_LARGE',
      reason: 'invalid profile data: decompressed profile exceeds the limit of 1048576 bytes'
    })
  })

  it('refuses gzipped bytes that are not pprof', () => {
    assert.match(reasonOf(gzipSync(Buffer.from('hello, this is not a profile')), OCTET), /^invalid profile data: invalid pprof profile: /)
  })

  it('refuses the minimal message Alloy lets through, because it is not a profile', () => {
    const reason = reasonOf(Buffer.from([0x0a, 0x04, 0x74, 0x65, 0x73, 0x74, 0x10, 0x2a]), OCTET)
    assert.equal(reason, 'invalid profile data: invalid pprof profile: field 2 (sample) has wire type 0, expected 2, at offset 6')
  })

  it('refuses a profile cut inside a field', () => {
    const raw = samplePprof()
    assert.match(reasonOf(raw.subarray(0, raw.length - 3), OCTET), /^invalid profile data: invalid pprof profile: field \d+ \(\w+\) is truncated/)
  })

  it('refuses a profile whose samples point at missing locations', () => {
    // sample_type {1,2}, sample {location_id 7, value 1}, string_table "", "a", "b"
    const raw = Buffer.from([0x0a, 0x04, 0x08, 0x01, 0x10, 0x02, 0x12, 0x04, 0x08, 0x07, 0x10, 0x01, 0x32, 0x00, 0x32, 0x01, 0x61, 0x32, 0x01, 0x62])
    assert.equal(reasonOf(raw, OCTET), 'invalid profile data: invalid pprof profile: sample 0 refers to missing location 7')
  })

  it('refuses random bytes whose first byte looks like a protobuf tag', () => {
    const noise = Buffer.from('0a ff ff ff ff 0f 01 02 03'.replace(/ /g, ''), 'hex')
    assert.match(reasonOf(noise, OCTET), /^invalid profile data: invalid pprof profile: /)
  })
})

describe('checkProfileAsync', () => {
  it('gives the same answers as checkProfile', async () => {
    const gz = gzipSync(samplePprof())
    const bodies: [Buffer, string | undefined][] = [
      [gz, OCTET],
      [samplePprof(), OCTET],
      [Buffer.alloc(0), OCTET],
      [gz.subarray(0, gz.length - 10), OCTET],
      [gzipSync(Buffer.from('hello, this is not a profile')), OCTET],
      [gz, 'application/json']
    ]
    for (const [body, contentType] of bodies) {
      const sync = checkProfile(body, contentType, LIMITS)
      const async = await checkProfileAsync(body, contentType, LIMITS)
      assert.deepEqual(async.ok ? { ok: true, gzipped: async.gzipped, samples: async.profile.sample.length } : async, sync.ok ? { ok: true, gzipped: sync.gzipped, samples: sync.profile.sample.length } : sync)
    }
  })

  it('refuses a gzip bomb once the inflated size passes the limit', async () => {
    // 8 MB of three-letter strings: a Profile's fields within the decoding budget, so only the cap stops it.
    const bomb = gzipSync(repeated([0x32, 0x03, 0x61, 0x62, 0x63], 1_600_000), { level: 9 })
    assert.deepEqual(await checkProfileAsync(bomb, OCTET, { maxDecompressedBytes: 1024 * 1024 }), {
      ok: false,
      code: 'PPROF_DECOMPRESSED_TOO_LARGE',
      reason: 'invalid profile data: decompressed profile exceeds the limit of 1048576 bytes'
    })
  })

  it('inflates off the event loop: timers and I/O callbacks run while a large body inflates', async () => {
    // 2 MB of strings: inflated, counted and decoded whole (then refused: string_table[0] is not "").
    const large = gzipSync(repeated([0x32, 0x03, 0x61, 0x62, 0x63], 400_000), { level: 1 })
    let ticks = 0
    let running = true
    const tick = (): void => {
      ticks++
      if (running) setImmediate(tick)
    }
    setImmediate(tick)
    const pending = checkProfileAsync(large, OCTET, { maxDecompressedBytes: 64 * 1024 * 1024 })
    const result = await pending
    running = false
    assert.equal(result.ok, false, 'the strings are not a profile')
    assert.ok(ticks > 1, `the event loop turned ${ticks} times while inflating`)
  })
})
