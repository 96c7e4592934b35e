import { describe, it, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'
import protobuf from 'protobufjs'
import { Readable } from 'node:stream'
import { startReceiveServer } from '../../../../../src/components/pyroscope/receive_http/index.js'
import { encodePushRequest } from '../../../../../src/components/pyroscope/write/push-request.js'
import { ProfileRefusedError } from '../../../../../src/components/pyroscope/write/index.js'
import type { AcceptedSeries, ReceiveServerOptions } from '../../../../../src/components/pyroscope/receive_http/index.js'
import type { PushSeries } from '../../../../../src/components/pyroscope/write/push-request.js'
import { silentLogger } from '../../../../../src/util/logger.js'
import { repeated } from '../../../../helpers/hostile-bodies.js'
import { httpRequest } from '../../../../helpers/http.js'
import { startRecordingReceiver, tinyProfile } from '../../../../helpers/receiver.js'
import type { RecordingReceiver } from '../../../../helpers/receiver.js'
import { waitFor } from '../../../../helpers/wait-for.js'

// dist/test/unit/components/pyroscope/receive_http → the repository's test/fixtures
const PROTO = fileURLToPath(new URL('../../../../../../test/fixtures/proto/push.proto', import.meta.url))
const PushRequest = protobuf.loadSync(PROTO).lookupType('push.v1.PushRequest')

const PUSH = '/push.v1.PusherService/Push'
const MAX_BODY = 64 * 1024
const MAX_DECOMPRESSED = 1024 * 1024

interface Sent {
  readonly status: number
  readonly headers: Readonly<Record<string, string | string[] | undefined>>
  readonly body: string
}

async function send(
  base: string,
  opts: { method?: 'GET' | 'POST' | 'PUT'; path?: string; headers?: Record<string, string>; body?: Uint8Array } = {}
): Promise<Sent> {
  const res = await httpRequest(base + (opts.path ?? PUSH), {
    method: opts.method ?? 'POST',
    headers: opts.headers ?? { 'content-type': 'application/proto', 'connect-protocol-version': '1' },
    ...(opts.body === undefined ? {} : { body: opts.body })
  })
  return { status: res.status, headers: res.headers, body: res.text() }
}

function push(series: PushSeries[]): Uint8Array {
  return encodePushRequest(series)
}

const valid: PushSeries = {
  labels: [
    ['__name__', 'process_cpu'],
    ['service_name', 'svc']
  ],
  samples: [{ raw: tinyProfile() }]
}

interface BadCase {
  name: string
  status: number
  code: string
  request: Parameters<typeof send>[1]
}

const protoHeaders = { 'content-type': 'application/proto' }
const truncated = push([valid]).subarray(0, 20)
// ~8 KiB that inflates to 8.5 MB of three-letter strings: fields a Profile may have, within the decoding
// budget up to the 1 MiB cap, so the cap is what refuses it.
const bomb = gzipSync(repeated([0x32, 0x03, 0x61, 0x62, 0x63], 1_700_000))

const BAD_CASES: BadCase[] = [
  { name: 'a truncated protobuf body', status: 400, code: 'invalid_argument', request: { headers: protoHeaders, body: truncated } },
  {
    name: 'a Content-Type other than application/proto (or JSON)',
    status: 415,
    code: 'invalid_argument',
    request: { headers: { 'content-type': 'text/plain' }, body: push([valid]) }
  },
  { name: 'no Content-Type', status: 415, code: 'invalid_argument', request: { headers: {}, body: push([valid]) } },
  {
    name: 'a compressed request body',
    status: 415,
    code: 'invalid_argument',
    request: { headers: { ...protoHeaders, 'content-encoding': 'gzip' }, body: gzipSync(push([valid])) }
  },
  {
    name: 'an unsupported Connect-Protocol-Version',
    status: 400,
    code: 'invalid_argument',
    request: { headers: { ...protoHeaders, 'connect-protocol-version': '2' }, body: push([valid]) }
  },
  {
    name: 'a body larger than maxBodyBytes',
    status: 413,
    code: 'resource_exhausted',
    request: { headers: protoHeaders, body: push([{ ...valid, samples: [{ raw: Buffer.alloc(MAX_BODY + 1, 1) }] }]) }
  },
  {
    name: 'a raw_profile that is not pprof',
    status: 400,
    code: 'invalid_argument',
    request: { headers: protoHeaders, body: push([{ ...valid, samples: [{ raw: Buffer.from('pprofraw is not a profile') }] }]) }
  },
  {
    name: 'an HTML page as raw_profile',
    status: 400,
    code: 'invalid_argument',
    request: { headers: protoHeaders, body: push([{ ...valid, samples: [{ raw: Buffer.from('<html><body>oops</body></html>') }] }]) }
  },
  {
    name: 'a gzip bomb as raw_profile',
    status: 400,
    code: 'invalid_argument',
    request: { headers: protoHeaders, body: push([{ ...valid, samples: [{ raw: bomb }] }]) }
  },
  { name: 'an empty series list', status: 400, code: 'invalid_argument', request: { headers: protoHeaders, body: push([]) } },
  {
    name: 'a series without labels',
    status: 400,
    code: 'invalid_argument',
    request: { headers: protoHeaders, body: push([{ labels: [], samples: valid.samples }]) }
  },
  {
    name: 'a series without samples',
    status: 400,
    code: 'invalid_argument',
    request: { headers: protoHeaders, body: push([{ labels: valid.labels, samples: [] }]) }
  },
  {
    name: 'an invalid label name',
    status: 400,
    code: 'invalid_argument',
    request: { headers: protoHeaders, body: push([{ ...valid, labels: [['invalid-label-name', 'x']] }]) }
  },
  {
    name: 'a duplicate label name',
    status: 400,
    code: 'invalid_argument',
    request: {
      headers: protoHeaders,
      body: push([
        {
          ...valid,
          labels: [
            ['service_name', 'a'],
            ['service_name', 'b']
          ]
        }
      ])
    }
  },
  {
    name: 'an empty raw_profile',
    status: 400,
    code: 'invalid_argument',
    request: { headers: protoHeaders, body: push([{ ...valid, samples: [{ raw: new Uint8Array(0) }] }]) }
  },
  {
    name: 'one bad series among good ones',
    status: 400,
    code: 'invalid_argument',
    request: { headers: protoHeaders, body: push([valid, { ...valid, samples: [{ raw: Buffer.from('junk') }] }, valid]) }
  },
  { name: 'a GET', status: 405, code: 'unimplemented', request: { method: 'GET', headers: {} } },
  { name: 'an unknown path', status: 404, code: 'unimplemented', request: { path: '/push.v1.PusherService/Nope', headers: protoHeaders, body: push([valid]) } }
]

describe('startReceiveServer', () => {
  let receiver: RecordingReceiver
  before(async () => {
    receiver = await startRecordingReceiver({ maxBodyBytes: MAX_BODY, maxDecompressedBytes: MAX_DECOMPRESSED })
  })
  after(async () => {
    await receiver.close()
  })

  for (const c of BAD_CASES) {
    it(`refuses ${c.name} with ${c.status} and a Connect error, storing nothing`, async () => {
      const res = await send(receiver.url, c.request)
      assert.equal(res.status, c.status, res.body)
      assert.match(String(res.headers['content-type']), /^application\/json/)
      const error = JSON.parse(res.body) as { code: string; message: string }
      assert.equal(error.code, c.code)
      assert.ok(error.message.length > 0)
      assert.equal(receiver.received.length, 0)
    })
  }

  it('says Allow: POST on a wrong method', async () => {
    const res = await send(receiver.url, { method: 'PUT', headers: protoHeaders, body: push([valid]) })
    assert.equal(res.status, 405)
    assert.equal(res.headers['allow'], 'POST')
  })

  it('refuses a body without Content-Length as soon as the streamed bytes pass maxBodyBytes', async () => {
    const chunk = Buffer.alloc(16 * 1024, 1)
    const stream = Readable.from((function* () {
      for (let i = 0; i < 16; i++) yield chunk // 256 KiB, four times the limit
    })())
    const res = await httpRequest(receiver.url + PUSH, { method: 'POST', headers: protoHeaders, body: stream })
    assert.equal(res.status, 413, res.text())
    assert.equal(res.json<{ code: string }>().code, 'resource_exhausted')
    assert.equal(receiver.received.length, 0)
  })

  it('explains why a gzip bomb was refused', async () => {
    const res = await send(receiver.url, { headers: protoHeaders, body: push([{ ...valid, samples: [{ raw: bomb }] }]) })
    assert.match(JSON.parse(res.body).message as string, /decompressed profile exceeds the limit of 1048576 bytes/)
  })

  it('accepts a push encoded independently by protobufjs and hands over every series with its labels and raw bytes', async () => {
    const raw = tinyProfile({ value: 42 })
    const plain = tinyProfile({ value: 7, gzip: false })
    const body = PushRequest.encode(
      PushRequest.fromObject({
        series: [
          { labels: [{ name: 'service_name', value: 'a' }], samples: [{ rawProfile: raw, ID: 'req-1' }] },
          { labels: [{ name: 'service_name', value: 'b' }, { name: '__name__', value: 'memory' }], samples: [{ rawProfile: plain }] }
        ]
      })
    ).finish()
    const before = receiver.received.length
    const res = await send(receiver.url, { headers: protoHeaders, body })
    assert.equal(res.status, 200)
    assert.equal(res.headers['content-type'], 'application/proto')
    assert.equal(res.body, '')
    const got = receiver.received.slice(before)
    assert.equal(got.length, 2)
    assert.deepEqual(got[0]?.labels, { service_name: 'a' })
    assert.deepEqual(Buffer.from(got[0]?.samples[0]?.raw ?? []), raw)
    assert.equal(got[0]?.samples[0]?.id, 'req-1')
    assert.deepEqual(got[1]?.labels, { service_name: 'b', __name__: 'memory' })
    assert.deepEqual(Buffer.from(got[1]?.samples[0]?.raw ?? []), plain)
  })

  it('answers GET /-/ready with 200', async () => {
    const res = await send(receiver.url, { method: 'GET', path: '/-/ready', headers: {} })
    assert.equal(res.status, 200)
  })
})

describe('startReceiveServer with a failing onProfile', () => {
  it('answers 500 internal', async (t) => {
    const server = await startReceiveServer({
      host: '127.0.0.1',
      port: 0,
      logger: silentLogger(),
      onProfile: () => Promise.reject(new Error('disk full'))
    })
    t.after(() => server.close())
    const res = await send(`http://127.0.0.1:${server.address.port}`, { headers: protoHeaders, body: push([valid]) })
    assert.equal(res.status, 500)
    assert.equal((JSON.parse(res.body) as { code: string }).code, 'internal')
  })
})

describe('closing startReceiveServer', () => {
  it('answers a push it is handling before its connection ends, and ends idle connections at once', async () => {
    let release: (() => void) | undefined
    let handled = 0
    const server = await startReceiveServer({
      host: '127.0.0.1',
      port: 0,
      logger: silentLogger(),
      onRequest: async () => {
        handled++
        if (handled === 2) await new Promise<void>((resolve) => (release = resolve))
      }
    })
    const url = `http://127.0.0.1:${server.address.port}`
    // A keep-alive connection that is idle when the server closes.
    assert.equal((await send(url, { headers: protoHeaders, body: push([valid]) })).status, 200)
    const inFlight = send(url, { headers: protoHeaders, body: push([valid]) })
    await waitFor(() => release !== undefined, { what: 'the second push being handled' })
    let closed = false
    const closing = server.close().then(() => (closed = true))
    // Stored (or about to be) already: the client must hear so, or it would push the same profiles again.
    await new Promise((resolve) => setImmediate(resolve))
    assert.equal(closed, false, 'close waits for the push being handled')
    release?.()
    assert.equal((await inFlight).status, 200)
    await closing
    await assert.rejects(send(url, { headers: protoHeaders, body: push([valid]) }), { code: 'ECONNREFUSED' }, 'nothing listens any more')
  })
})

describe('startReceiveServer with onRequest', () => {
  async function serve(t: import('node:test').TestContext, opts: Partial<ReceiveServerOptions>): Promise<string> {
    const server = await startReceiveServer({ host: '127.0.0.1', port: 0, logger: silentLogger(), ...opts })
    t.after(() => server.close())
    return `http://127.0.0.1:${server.address.port}`
  }

  it('hands every series of a request over in one call', async (t) => {
    const calls: (readonly AcceptedSeries[])[] = []
    const url = await serve(t, {
      onRequest: async (series) => {
        calls.push(series)
      }
    })
    const other: PushSeries = { ...valid, labels: [['service_name', 'other']] }
    const res = await send(url, { headers: protoHeaders, body: push([valid, other, valid]) })
    assert.equal(res.status, 200)
    assert.equal(calls.length, 1)
    assert.deepEqual(
      calls[0]?.map((s) => s.labels['service_name']),
      ['svc', 'other', 'svc']
    )
  })

  for (const [code, status, connect] of [
    ['WRITE_INVALID_LABELS', 400, 'invalid_argument'],
    ['WRITE_QUEUE_FULL', 503, 'unavailable']
  ] as const) {
    it(`answers a ${code} refusal with ${status} ${connect}`, async (t) => {
      const url = await serve(t, { onRequest: () => Promise.reject(new ProfileRefusedError(code, 'refused for a reason')) })
      const res = await send(url, { headers: protoHeaders, body: push([valid]) })
      assert.equal(res.status, status, res.body)
      assert.deepEqual(JSON.parse(res.body), { code: connect, message: 'refused for a reason' })
    })
  }

  it('refuses to start without exactly one handler', async () => {
    await assert.rejects(startReceiveServer({ host: '127.0.0.1', port: 0, logger: silentLogger() }), /exactly one of onRequest and onProfile/)
  })

  it('answers 503 unavailable with Retry-After while maxConcurrentRequests pushes are in progress', async (t) => {
    const release: (() => void)[] = []
    let handled = 0
    const url = await serve(t, {
      maxConcurrentRequests: 1,
      onRequest: () =>
        new Promise<void>((resolve) => {
          handled++
          release.push(resolve)
        })
    })
    const first = send(url, { headers: protoHeaders, body: push([valid]) })
    await waitFor(() => release.length > 0, { what: 'the first push in progress' })
    const second = await send(url, { headers: protoHeaders, body: push([valid]) })
    assert.equal(second.status, 503, second.body)
    assert.equal(second.headers['retry-after'], '1')
    assert.equal((JSON.parse(second.body) as { code: string }).code, 'unavailable')
    release.shift()?.()
    assert.equal((await first).status, 200)
    // The slot is free again.
    const third = send(url, { headers: protoHeaders, body: push([valid]) })
    await waitFor(() => release.length > 0, { what: 'the third push in progress' })
    release.shift()?.()
    assert.equal((await third).status, 200)
    assert.equal(handled, 2)
  })
})
