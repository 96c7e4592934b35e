import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { connect } from 'node:net'
import type { Socket } from 'node:net'
import { startReceiveServer } from '../../../../../src/components/pyroscope/receive_http/index.js'
import type { AcceptedSeries, ReceiveServerOptions } from '../../../../../src/components/pyroscope/receive_http/index.js'
import { encodePushRequest } from '../../../../../src/components/pyroscope/write/push-request.js'
import { silentLogger } from '../../../../../src/util/logger.js'
import { emptySeriesPush, pushOf, sampleBomb, validManySamples } from '../../../../helpers/hostile-bodies.js'
import { httpRequest } from '../../../../helpers/http.js'
import { tinyProfile } from '../../../../helpers/receiver.js'
import { waitFor } from '../../../../helpers/wait-for.js'

const PUSH = '/push.v1.PusherService/Push'

interface Answer {
  readonly status: number
  readonly retryAfter: string | undefined
  readonly body: string
}

/** A push from `localAddress` (any 127.x.y.z is this machine) on a connection of its own, so tests can be two clients. */
async function post(port: number, body: Uint8Array, localAddress = '127.0.0.1'): Promise<Answer> {
  const res = await httpRequest(`http://127.0.0.1:${port}${PUSH}`, { method: 'POST', headers: { 'content-type': 'application/proto' }, body, localAddress })
  const retryAfter = res.headers['retry-after']
  return { status: res.status, retryAfter: Array.isArray(retryAfter) ? retryAfter.join(', ') : retryAfter, body: res.text() }
}

async function serve(t: import('node:test').TestContext, opts: Partial<ReceiveServerOptions> = {}): Promise<{ port: number; calls: (readonly AcceptedSeries[])[] }> {
  const calls: (readonly AcceptedSeries[])[] = []
  const server = await startReceiveServer({
    host: '127.0.0.1',
    port: 0,
    logger: silentLogger(),
    onRequest: async (series) => {
      calls.push(series)
    },
    ...opts
  })
  t.after(() => server.close())
  return { port: server.address.port, calls }
}

/** A socket that sends only a push's head: Content-Length 100000, then nothing. Collects what it is answered. */
function headOnly(port: number): { socket: Socket; received: () => string; closed: () => boolean } {
  const socket = connect({ host: '127.0.0.1', port })
  let received = ''
  let closed = false
  socket.setEncoding('utf8')
  socket.on('data', (d: string) => (received += d))
  socket.on('close', () => (closed = true))
  socket.on('error', () => undefined)
  socket.write(`POST ${PUSH} HTTP/1.1\r\nHost: x\r\nContent-Type: application/proto\r\nContent-Length: 100000\r\n\r\n`)
  return { socket, received: () => received, closed: () => closed }
}

describe('startReceiveServer under hostile clients', () => {
  it('cuts clients that send a head and no body at the body deadline; other clients push meanwhile', async (t) => {
    const { port, calls } = await serve(t, { bodyTimeoutMs: 800 })
    const attackers = Array.from({ length: 8 }, () => headOnly(port))
    t.after(() => attackers.forEach((a) => a.socket.destroy()))
    // The attackers' four slots for their address are taken: their address gets 503 with Retry-After...
    await waitFor(() => attackers.filter((a) => a.received().startsWith('HTTP/1.1 503')).length === 4 || undefined, { timeoutMs: 5_000, what: 'four attackers refused' })
    const sameAddress = await post(port, pushOf([tinyProfile()]))
    assert.equal(sameAddress.status, 503, sameAddress.body)
    assert.equal(sameAddress.retryAfter, '1')
    // ...while another client is not locked out.
    const other = await post(port, pushOf([tinyProfile()]), '127.0.0.2')
    assert.equal(other.status, 200, other.body)
    assert.equal(calls.length, 1)
    // Within the deadline (plus node's check interval) every held slot is answered 408 and closed.
    await waitFor(() => attackers.every((a) => a.closed()) || undefined, { timeoutMs: 5_000, what: 'every attacker closed' })
    const timedOut = attackers.filter((a) => a.received().startsWith('HTTP/1.1 408'))
    assert.equal(timedOut.length, 4)
    assert.match(timedOut[0]?.received() ?? '', /"code":"deadline_exceeded"/)
    assert.equal((await post(port, pushOf([tinyProfile()]))).status, 200)
  })

  it('cuts a client that trickles one byte at a time at the same deadline', async (t) => {
    const { port } = await serve(t, { bodyTimeoutMs: 800 })
    const slow = headOnly(port)
    t.after(() => slow.socket.destroy())
    const timer = setInterval(() => slow.socket.write('\n'), 100)
    t.after(() => clearInterval(timer))
    await waitFor(() => slow.closed() || undefined, { timeoutMs: 5_000, what: 'the trickling client closed' })
    assert.match(slow.received(), /^HTTP\/1\.1 408/)
  })

  const refused: [string, () => Uint8Array, RegExp][] = [
    ['4 MB of empty series (0a 00 × 2 M)', () => emptySeriesPush(), /^the request holds more than 1000 series/],
    [
      '25,000 tiny profiles in one request',
      () => encodePushRequest([{ labels: [['service_name', 'a']], samples: Array.from({ length: 25_000 }, (_, i) => ({ raw: tinyProfile({ value: i + 1 }) })) }]),
      /^the request holds more than 1000 profiles/
    ],
    ['25,000 series of one profile each', () => pushOf(Array.from({ length: 25_000 }, () => tinyProfile())), /^the request holds more than 1000 series/],
    ['a sample bomb: gzip(12 00 × 4 M)', () => pushOf([sampleBomb()]), /^series 0 sample 0: invalid profile data: profile exceeds the decoding budget: at least \d+ samples/],
    ['three valid 500,000-sample profiles of 6 KB each', () => pushOf([validManySamples(), validManySamples(), validManySamples()]), /profile exceeds the decoding budget/],
    ['a 1 MB label value', () => pushOf([tinyProfile()], { big: 'x'.repeat(1024 * 1024) }), /^the request's labels take more than 1048576 bytes, the limit per request/],
    ['a 4 KB label value', () => pushOf([tinyProfile()], { big: 'x'.repeat(4096) }), /^series 0: invalid labels: label big has a value of 4096 characters, more than the limit of 2048/],
    ['100,000 labels', () => pushOf([tinyProfile()], Object.fromEntries(Array.from({ length: 100_000 }, (_, i) => [`l${i}`, 'v']))), /^series 0 has 100002 labels, more than the limit of 30/],
    ['a NUL byte in a label value', () => pushOf([tinyProfile()], { env: 'a\0b' }), /^series 0: invalid labels: label env has a NUL byte in its value/],
    [
      'a series without service_name',
      () => encodePushRequest([{ labels: [['__name__', 'process_cpu']], samples: [{ raw: tinyProfile() }] }]),
      /^series 0: invalid labels: a service_name label is required/
    ]
  ]
  for (const [name, body, reason] of refused) {
    it(`refuses ${name} with 400 and a clear reason, handing nothing over`, async (t) => {
      const { port, calls } = await serve(t)
      const answer = await post(port, body())
      assert.equal(answer.status, 400, answer.body)
      const parsed = JSON.parse(answer.body) as { code: string; message: string }
      assert.equal(parsed.code, 'invalid_argument')
      assert.match(parsed.message, reason)
      assert.equal(calls.length, 0)
    })
  }
})
