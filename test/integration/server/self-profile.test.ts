import assert from 'node:assert/strict'
import { gunzipSync } from 'node:zlib'
import { describe, it } from 'node:test'
import { Profile } from 'pprof-format'
import { CpuProfileInProgressError, captureCpuProfile } from '../../../src/pprof/self-profile.js'

describe('captureCpuProfile', () => {
  it('refuses a second capture while one runs, then allows one once it ends', async () => {
    const first = captureCpuProfile(0.2, new AbortController().signal)
    await assert.rejects(captureCpuProfile(0.2, new AbortController().signal), CpuProfileInProgressError)
    const body = await first
    assert.ok(Profile.decode(gunzipSync(body)).sampleType.length === 2)
    const again = await captureCpuProfile(0.1, new AbortController().signal)
    assert.ok(again.length > 0)
  })

  it('stops early with the abort reason and frees the profiler', async () => {
    const abort = new AbortController()
    const started = captureCpuProfile(30, abort.signal)
    const reason = new Error('client went away')
    abort.abort(reason)
    await assert.rejects(started, (err) => err === reason)
    const next = await captureCpuProfile(0.1, new AbortController().signal)
    assert.ok(Profile.decode(gunzipSync(next)).sampleType.length === 2)
  })
})
