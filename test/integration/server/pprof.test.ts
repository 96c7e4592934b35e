import assert from 'node:assert/strict'
import { gunzipSync } from 'node:zlib'
import { setImmediate as yieldToLoop } from 'node:timers/promises'
import { after, before, describe, it } from 'node:test'
import { Profile } from 'pprof-format'
import { httpRequest } from '../../helpers/http.js'
import type { HttpAnswer } from '../../helpers/http.js'
import { startTestServer } from './fixture.js'
import type { TestServer } from './fixture.js'

function sampleTypes(profile: Profile): string[] {
  const s = (i: number | bigint): string => profile.stringTable.strings[Number(i)] ?? '?'
  return profile.sampleType.map((t) => `${s(t.type)}/${s(t.unit)}`)
}

/** Asks as browsers and Go's client do, accepting gzip: the profile is gzipped pprof itself, not a gzip-encoded answer. */
async function fetchProfile(server: TestServer, path: string): Promise<{ res: HttpAnswer; profile: Profile }> {
  const res = await httpRequest(server.base + path, { headers: { 'accept-encoding': 'gzip, deflate' } })
  assert.equal(res.status, 200, `${path} answered ${res.status}`)
  return { res, profile: Profile.decode(gunzipSync(res.body)) }
}

/**
 * Keeps this process (the server's own) busy in short slices until `done` settles, so a CPU profile
 * running meanwhile has JavaScript samples; yielding between slices lets the request proceed.
 */
async function busyUntil<T>(done: Promise<T>): Promise<T> {
  let settled = false
  const result = done.finally(() => {
    settled = true
  })
  let sink = 0
  while (!settled) {
    const sliceEnd = performance.now() + 20
    while (performance.now() < sliceEnd) sink += Math.sqrt(sink + 1)
    await yieldToLoop()
  }
  assert.ok(sink > 0)
  return result
}

describe('/debug/pprof of the agent itself', () => {
  let server: TestServer
  before(async () => {
    server = await startTestServer()
  })
  after(() => server.close())

  it('serves a one-second CPU profile as gzipped pprof with samples/count and cpu/nanoseconds', async () => {
    const { res, profile } = await busyUntil(fetchProfile(server, '/debug/pprof/profile?seconds=1'))
    assert.equal(res.headers['content-type'], 'application/octet-stream')
    assert.equal(res.headers['content-encoding'], undefined)
    assert.deepEqual(sampleTypes(profile), ['samples/count', 'cpu/nanoseconds'])
    assert.ok(profile.sample.length >= 1, 'at least one sample')
    const period = Number(profile.period)
    for (const sample of profile.sample) assert.equal(Number(sample.value[1]), Number(sample.value[0]) * period)
    assert.ok(Number(profile.durationNanos) >= 0.9e9, `duration ${profile.durationNanos}`)
    assert.ok(Number(profile.timeNanos) > 0)
    const names = new Set(profile.function.map((f) => profile.stringTable.strings[Number(f.name)]))
    assert.ok(names.has('busyUntil'), `the busy function shows up among ${[...names].join(', ')}`)
  })

  it('runs one CPU profile at a time and answers 500 to the second, like Go', async () => {
    const statuses = await busyUntil(
      Promise.all(
        [1, 2].map(async () => {
          const res = await httpRequest(`${server.base}/debug/pprof/profile?seconds=1`)
          return { status: res.status, text: res.status === 500 ? res.text() : '' }
        })
      )
    )
    const sorted = statuses.sort((a, b) => a.status - b.status)
    assert.deepEqual(
      sorted.map((s) => s.status),
      [200, 500]
    )
    assert.match(sorted[1]?.text ?? '', /cpu profiling already in progress/)
  })

  it('serves the heap profile with inuse_objects/count and inuse_space/bytes', async () => {
    // Live allocations well above the 32 KiB sampling interval, kept alive across the request.
    const retained = Array.from({ length: 4000 }, (_, i) => ({ id: i, text: `${i}`.padEnd(256, 'x') }))
    const { res, profile } = await fetchProfile(server, '/debug/pprof/heap')
    assert.equal(retained.length, 4000)
    assert.equal(res.headers['content-type'], 'application/octet-stream')
    assert.deepEqual(sampleTypes(profile), ['inuse_objects/count', 'inuse_space/bytes'])
    assert.ok(profile.sample.length >= 1, 'at least one sample')
    for (const sample of profile.sample) assert.ok(Number(sample.value[1]) > 0)
  })

  it('serves allocs as the same heap profile, as Go does', async () => {
    const { profile } = await fetchProfile(server, '/debug/pprof/allocs')
    assert.deepEqual(sampleTypes(profile), ['inuse_objects/count', 'inuse_space/bytes'])
  })

  it('serves active async resources as a goroutine/count profile', async () => {
    const { profile } = await fetchProfile(server, '/debug/pprof/goroutine')
    assert.deepEqual(sampleTypes(profile), ['goroutine/count'])
    assert.ok(profile.sample.length >= 1, 'at least one sample')
    const names = profile.function.map((f) => profile.stringTable.strings[Number(f.name)])
    // The server's own listening socket is an active resource while it answers.
    assert.ok(names.includes('TCPServerWrap'), names.join(', '))
  })

  it('lists the profiles on the index page and redirects /debug/pprof to it', async () => {
    const redirect = await httpRequest(`${server.base}/debug/pprof`)
    assert.equal(redirect.status, 301)
    assert.equal(redirect.headers['location'], '/debug/pprof/')
    const index = await httpRequest(`${server.base}/debug/pprof`, { followRedirects: true })
    assert.equal(index.status, 200)
    const text = index.text()
    for (const name of ['allocs', 'goroutine', 'heap', 'profile']) assert.ok(text.includes(`href="${name}`), name)
  })

  it('answers 404 with the reason for profiles a Node.js process cannot give', async () => {
    for (const kind of ['block', 'mutex', 'threadcreate']) {
      const res = await httpRequest(`${server.base}/debug/pprof/${kind}`)
      assert.equal(res.status, 404)
      assert.equal(res.text(), `profile not supported by a Node.js process: ${kind}\n`)
    }
    const unknown = await httpRequest(`${server.base}/debug/pprof/delta_heap`)
    assert.equal(unknown.status, 404)
    assert.equal(unknown.text(), 'Unknown profile\n')
  })
})
