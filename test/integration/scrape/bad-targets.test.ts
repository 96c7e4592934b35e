import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { getEventListeners } from 'node:events'
import { scrapeOnce } from '../../../src/components/pyroscope/scrape/scraper.js'
import type { ScrapeOutcome } from '../../../src/components/pyroscope/scrape/scraper.js'
import { closedPortUrl, HUGE_BODY_BYTES, startBadTargetServer } from '../../helpers/bad-targets.js'
import type { BadTargetPath, BadTargetServer } from '../../helpers/bad-targets.js'
import { createTestHttpClient } from '../../helpers/http.js'

const MiB = 1024 * 1024
const BODY_LIMIT = MiB
const TIMEOUT_MS = 1_000

interface Case {
  readonly name: string
  /** A path on the bad-target server, or a function giving the whole URL. */
  readonly target: BadTargetPath | ((server: BadTargetServer) => Promise<string> | string)
  readonly code: string
  readonly reason: string | RegExp | ((url: string) => string)
}

const TIMED_OUT = `scrape timed out after ${TIMEOUT_MS / 1000}s`

const CASES: readonly Case[] = [
  { name: 'a 404', target: '/not-found', code: 'SCRAPE_HTTP_STATUS', reason: 'server returned HTTP status (404) Unknown profile' },
  {
    name: 'a 500 with an explanation',
    target: '/server-error',
    code: 'SCRAPE_HTTP_STATUS',
    reason: 'server returned HTTP status (500) Could not enable CPU profiling: cpu profiling already in use'
  },
  { name: 'a 503 without a body', target: '/server-error-empty', code: 'SCRAPE_HTTP_STATUS', reason: 'server returned HTTP status (503) Service Unavailable' },
  { name: 'a redirect loop', target: '/redirect-loop', code: 'HTTP_TOO_MANY_REDIRECTS', reason: /^too many redirects/ },
  { name: 'headers that never come', target: '/slow-headers', code: 'SCRAPE_TIMEOUT', reason: TIMED_OUT },
  { name: 'a body that trickles forever', target: '/trickle', code: 'SCRAPE_TIMEOUT', reason: TIMED_OUT },
  { name: 'a socket that accepts and never answers', target: (s) => s.silentUrl, code: 'SCRAPE_TIMEOUT', reason: TIMED_OUT },
  {
    name: 'a 100 MiB body',
    target: '/huge',
    code: 'SCRAPE_BODY_TOO_LARGE',
    reason: `response body exceeds the limit of ${BODY_LIMIT} bytes`
  },
  {
    name: 'a truncated gzip body',
    target: '/truncated-gzip',
    code: 'PPROF_INVALID_GZIP',
    reason: 'invalid profile data: invalid gzip data: unexpected end of file'
  },
  {
    name: 'an HTML page served as octet-stream',
    target: '/html-octet',
    code: 'PPROF_TEXT_RESPONSE',
    reason: 'invalid profile data: text response instead of pprof: "<!DOCTYPE html><html><body>Internal error</body></" (server should return HTTP error, not 200)'
  },
  {
    name: 'JSON with its own Content-Type',
    target: '/json',
    code: 'PPROF_UNEXPECTED_CONTENT_TYPE',
    reason: 'invalid profile data: unexpected Content-Type application/json, expected application/octet-stream for pprof data'
  },
  {
    name: 'JSON served as octet-stream',
    target: '/json-octet',
    code: 'PPROF_TEXT_RESPONSE',
    reason: 'invalid profile data: text response instead of pprof: "{\\"error\\":\\"profiling is disabled on this host\\"}" (server should return HTTP error, not 200)'
  },
  { name: 'an empty 200', target: '/empty', code: 'PPROF_EMPTY', reason: 'invalid profile data: empty response from profiling endpoint' },
  { name: 'a TCP reset in the middle of the body', target: '/reset-mid-body', code: 'HTTP_CONNECTION_RESET', reason: 'connection reset by peer' },
  { name: 'a body without Content-Type', target: '/no-content-type', code: 'PPROF_MISSING_CONTENT_TYPE', reason: 'invalid profile data: missing Content-Type header' },
  {
    name: 'garbage with an illegal wire type',
    target: '/illegal-wire-type',
    code: 'PPROF_ILLEGAL_WIRE_TYPE',
    reason: 'invalid profile data: invalid protobuf data: illegal wireType 6 (expected 0-5), first bytes: 1e0100120474657374'
  },
  {
    // 32 MiB of zeros: field 0, which no Profile has, refused in the first piece out of the inflate.
    name: 'a gzip bomb',
    target: '/gzip-bomb',
    code: 'PPROF_INVALID_PROFILE',
    reason: 'invalid profile data: invalid pprof profile: unknown field 0 (wire type 0) at offset 0; inflating stopped after 262144 bytes'
  },
  { name: 'gzipped text', target: '/gzip-not-pprof', code: 'PPROF_INVALID_PROFILE', reason: /^invalid profile data: invalid pprof profile: / },
  {
    name: 'a pprof body cut short',
    target: '/truncated-pprof',
    code: 'PPROF_INVALID_PROFILE',
    reason: /^invalid profile data: invalid pprof profile: field \d+ \(\w+\) is truncated/
  },
  {
    name: 'a closed port',
    target: () => closedPortUrl(),
    code: 'HTTP_CONNECTION_REFUSED',
    reason: (url) => `connection refused (${new URL(url).host})`
  }
]

describe('scrapeOnce against misbehaving targets', () => {
  let server: BadTargetServer
  const client = createTestHttpClient({ followRedirects: true })
  const stop = new AbortController()

  before(async () => {
    server = await startBadTargetServer()
  })
  after(async () => {
    stop.abort()
    await client.close()
    await server?.close()
  })

  async function scrape(url: string, signal: AbortSignal = stop.signal): Promise<ScrapeOutcome> {
    return scrapeOnce(client, { url, timeoutMs: TIMEOUT_MS, bodyLimitBytes: BODY_LIMIT, profileType: 'memory' }, signal)
  }

  async function urlOf(c: Case): Promise<string> {
    return typeof c.target === 'function' ? c.target(server) : server.url(c.target)
  }

  for (const c of CASES) {
    it(`fails ${c.name} with its exact reason`, async () => {
      const url = await urlOf(c)
      const outcome = await scrape(url)
      assert.equal(outcome.ok, false)
      if (outcome.ok) return
      assert.equal(outcome.code, c.code, outcome.reason)
      if (typeof c.reason === 'string') assert.equal(outcome.reason, c.reason)
      else if (c.reason instanceof RegExp) assert.match(outcome.reason, c.reason)
      else assert.equal(outcome.reason, c.reason(url))
      // The duration is measured from the start: a timeout takes the whole deadline, other failures do not wait for it.
      if (c.code === 'SCRAPE_TIMEOUT') assert.ok(outcome.durationMs >= TIMEOUT_MS - 5, `${outcome.durationMs} ms`)
      else assert.ok(outcome.durationMs < TIMEOUT_MS, `${outcome.durationMs} ms`)
    })
  }

  it('accepts the valid profiles served next to them, gzipped or not', async () => {
    for (const path of ['/valid', '/valid-plain'] as const) {
      const outcome = await scrape(server.url(path))
      assert.equal(outcome.ok, true, outcome.ok ? '' : outcome.reason)
    }
  })

  it('stops reading a 100 MiB body soon after the limit, with memory far below the body size', async () => {
    const before = server.bytesSent('/huge')
    const baseline = process.memoryUsage()
    let peak = 0
    const sampler = setInterval(() => {
      const now = process.memoryUsage()
      peak = Math.max(peak, now.heapUsed + now.arrayBuffers - baseline.heapUsed - baseline.arrayBuffers)
    }, 5)
    try {
      const outcome = await scrape(server.url('/huge'))
      assert.equal(outcome.ok ? '' : outcome.code, 'SCRAPE_BODY_TOO_LARGE')
    } finally {
      clearInterval(sampler)
    }
    const sent = server.bytesSent('/huge') - before
    assert.ok(sent < HUGE_BODY_BYTES / 4, `the server got to send only ${sent} of ${HUGE_BODY_BYTES} bytes`)
    assert.ok(peak < 32 * MiB, `heap and buffers grew by at most ${peak} bytes`)
  })

  it('gives up on a trickling body at the deadline after a few bytes', async () => {
    const before = server.bytesSent('/trickle')
    const outcome = await scrape(server.url('/trickle'))
    assert.equal(outcome.ok ? '' : outcome.reason, TIMED_OUT)
    assert.ok(server.bytesSent('/trickle') - before < 100)
  })

  it('reports a stop of the caller as an abort, not a failure of the target, and leaves no listener behind', async () => {
    const caller = new AbortController()
    const listenersBefore = getEventListeners(caller.signal, 'abort').length
    const pending = scrape(server.url('/slow-headers'), caller.signal)
    caller.abort()
    const outcome = await pending
    assert.equal(outcome.ok ? '' : outcome.code, 'SCRAPE_ABORTED')
    const done = await scrape(server.url('/valid'))
    assert.equal(done.ok, true)
    assert.equal(getEventListeners(stop.signal, 'abort').length, 0, 'the long-lived signal keeps no listener')
    assert.equal(getEventListeners(caller.signal, 'abort').length, listenersBefore)
  })
})
