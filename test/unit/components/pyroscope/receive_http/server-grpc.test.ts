/**
 * gRPC Push over cleartext HTTP/2 on the receiver's port, with real clients on real sockets: @grpc/grpc-js
 * for what an SDK does, node:http2 for frames a well-behaved client would not send (a stalled body, a
 * compressed frame of our choosing, a request that is not gRPC).
 */
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { connect as connectHttp2 } from 'node:http2'
import type { ClientHttp2Session, IncomingHttpHeaders } from 'node:http2'
import { connect } from 'node:net'
import { gzipSync } from 'node:zlib'
import { Registry } from 'prom-client'
import { startReceiveServer } from '../../../../../src/components/pyroscope/receive_http/index.js'
import type { AcceptedSeries, ReceiveServer, ReceiveServerOptions } from '../../../../../src/components/pyroscope/receive_http/index.js'
import { DEFAULT_PUSH_LIMITS } from '../../../../../src/components/pyroscope/receive_http/limits.js'
import { ProfileRefusedError } from '../../../../../src/components/pyroscope/write/index.js'
import { silentLogger } from '../../../../../src/util/logger.js'
import { createGrpcPushClient, GrpcStatus, PUSH_METHOD, pushRequestBytes } from '../../../../helpers/grpc-client.js'
import type { GrpcPushClient } from '../../../../helpers/grpc-client.js'
import { httpRequest } from '../../../../helpers/http.js'
import { metricValue } from '../../../../helpers/metrics.js'
import { tinyProfile } from '../../../../helpers/receiver.js'
import { waitFor } from '../../../../helpers/wait-for.js'

type TestContext = import('node:test').TestContext

interface Served {
  readonly server: ReceiveServer
  readonly port: number
  readonly calls: (readonly AcceptedSeries[])[]
  readonly registry: Registry
  client(options?: Record<string, unknown>): GrpcPushClient
}

async function serve(t: TestContext, opts: Partial<ReceiveServerOptions> = {}): Promise<Served> {
  const calls: (readonly AcceptedSeries[])[] = []
  const registry = new Registry()
  const server = await startReceiveServer({
    host: '127.0.0.1',
    port: 0,
    logger: silentLogger(),
    registry,
    ensureServiceName: true,
    onRequest: async (series) => {
      calls.push(series)
    },
    ...opts
  })
  t.after(() => server.close())
  const port = server.address.port
  return {
    server,
    port,
    calls,
    registry,
    client: (options = {}) => {
      const client = createGrpcPushClient(`127.0.0.1:${port}`, options)
      t.after(() => client.close())
      return client
    }
  }
}

const cpuPush = (labels: Record<string, string>): Buffer => pushRequestBytes([{ labels, samples: [{ raw: tinyProfile() }] }])

/** One gRPC frame around `message`; `compressed` sets the flag byte. */
function frame(message: Uint8Array, compressed = false): Buffer {
  const head = Buffer.alloc(5)
  head[0] = compressed ? 1 : 0
  head.writeUInt32BE(message.length, 1)
  return Buffer.concat([head, message])
}

interface RawAnswer {
  readonly headers: IncomingHttpHeaders
  readonly trailers: IncomingHttpHeaders
  readonly data: Buffer
}

/** A request over node:http2; `body` undefined leaves the request open after `partial`. */
function rawRequest(session: ClientHttp2Session, headers: Record<string, string>, body: Buffer | undefined, partial?: Buffer): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const stream = session.request({ ':method': 'POST', ':path': PUSH_METHOD, 'content-type': 'application/grpc', te: 'trailers', ...headers })
    let answered: IncomingHttpHeaders = {}
    let trailers: IncomingHttpHeaders = {}
    const chunks: Buffer[] = []
    stream.on('response', (h) => (answered = h))
    stream.on('trailers', (h) => (trailers = h))
    stream.on('data', (c: Buffer) => chunks.push(c))
    stream.on('close', () => resolve({ headers: answered, trailers, data: Buffer.concat(chunks) }))
    stream.on('error', reject)
    if (partial !== undefined) stream.write(partial)
    if (body !== undefined) stream.end(body)
  })
}

function http2Session(t: TestContext, port: number): ClientHttp2Session {
  const session = connectHttp2(`http://127.0.0.1:${port}`)
  session.on('error', () => undefined)
  t.after(() => session.destroy())
  return session
}

function countOf(registry: Registry, code: string): Promise<number> {
  return metricValue(registry, 'shardscope_receive_http_requests_total', { code })
}

describe('startReceiveServer: gRPC over cleartext HTTP/2', () => {
  it("takes a grpc-js push: Alloy's ensureServiceName applied, the profile's bytes unchanged, an empty PushResponse", async (t) => {
    const s = await serve(t)
    const answer = await s.client().push(cpuPush({ __name__: 'myapp.cpu', foo: 'bar' }))
    assert.deepEqual(answer, { code: GrpcStatus.OK, details: '', response: Buffer.alloc(0) })
    assert.equal(s.calls.length, 1)
    assert.deepEqual(s.calls[0]?.[0]?.labels, { __name__: 'myapp.cpu', foo: 'bar', service_name: 'myapp.cpu' })
    assert.deepEqual(Buffer.from(s.calls[0]?.[0]?.samples[0]?.raw ?? []), tinyProfile())
    assert.equal(await countOf(s.registry, '200'), 1)
  })

  it('takes a gzip-compressed message (grpc-encoding: gzip), from node:http2 and from grpc-js', async (t) => {
    const s = await serve(t)
    const message = cpuPush({ __name__: 'process_cpu', service_name: 'zipped' })
    const raw = await rawRequest(http2Session(t, s.port), { 'grpc-encoding': 'gzip' }, frame(gzipSync(message), true))
    assert.equal(raw.headers[':status'], 200)
    assert.equal(raw.trailers['grpc-status'], '0')
    assert.deepEqual(raw.data, Buffer.alloc(5))
    const viaGrpcJs = await s.client({ 'grpc.default_compression_algorithm': 2 }).push(message)
    assert.equal(viaGrpcJs.code, GrpcStatus.OK)
    assert.equal(s.calls.length, 2)
    assert.equal(s.calls[1]?.[0]?.labels['service_name'], 'zipped')
  })

  it('refuses a malformed message with INVALID_ARGUMENT and delivers nothing', async (t) => {
    const s = await serve(t)
    const answer = await s.client().push(Buffer.from([0x0a, 0xff, 0xff]))
    assert.equal(answer.code, GrpcStatus.INVALID_ARGUMENT)
    assert.match(answer.details, /PushRequest/)
    assert.equal(s.calls.length, 0)
    assert.equal(await countOf(s.registry, '400'), 1)
  })

  it('refuses a message over the body limit with RESOURCE_EXHAUSTED (counted as 413), compressed or not', async (t) => {
    const s = await serve(t, { maxBodyBytes: 4096 })
    const answer = await s.client().push(pushRequestBytes([{ labels: { service_name: 'big' }, samples: [{ raw: Buffer.alloc(10_000, 7) }] }]))
    assert.equal(answer.code, GrpcStatus.RESOURCE_EXHAUSTED)
    assert.match(answer.details, /exceeds the limit of 4096 bytes/)
    // Small on the wire, past the limit once inflated.
    const bomb = await rawRequest(http2Session(t, s.port), { 'grpc-encoding': 'gzip' }, frame(gzipSync(Buffer.alloc(100_000)), true))
    assert.equal(bomb.headers['grpc-status'], String(GrpcStatus.RESOURCE_EXHAUSTED))
    assert.equal(s.calls.length, 0)
    assert.equal(await countOf(s.registry, '413'), 2)
    // The connection is still good for a push within the limit.
    assert.equal((await s.client().push(cpuPush({ service_name: 'small' }))).code, GrpcStatus.OK)
  })

  it('holds the per-request limits (series per push)', async (t) => {
    const s = await serve(t, { limits: { ...DEFAULT_PUSH_LIMITS, maxSeries: 2 } })
    const three = pushRequestBytes(['a', 'b', 'c'].map((name) => ({ labels: { service_name: name }, samples: [{ raw: tinyProfile() }] })))
    const answer = await s.client().push(three)
    assert.equal(answer.code, GrpcStatus.INVALID_ARGUMENT)
    assert.match(answer.details, /more than 2 series/)
    assert.equal(s.calls.length, 0)
  })

  it('answers UNAVAILABLE to a client that already has its share of pushes in progress', async (t) => {
    let release: () => void = () => undefined
    const held = new Promise<void>((resolve) => (release = resolve))
    const calls: (readonly AcceptedSeries[])[] = []
    const s = await serve(t, {
      admission: { maxRequestsPerClient: 1 },
      onRequest: async (series) => {
        calls.push(series)
        await held
      }
    })
    const client = s.client()
    const first = client.push(cpuPush({ service_name: 'first' }))
    await waitFor(() => calls.length === 1, { timeoutMs: 5_000, what: 'the first push is being delivered' })
    const second = await client.push(cpuPush({ service_name: 'second' }))
    assert.equal(second.code, GrpcStatus.UNAVAILABLE)
    assert.match(second.details, /too many push requests in progress from/)
    release()
    assert.equal((await first).code, GrpcStatus.OK)
    assert.equal(calls.length, 1)
  })

  it('answers UNAVAILABLE when a forward queue is full, and INVALID_ARGUMENT for labels the writer refuses', async (t) => {
    const queueFull = await serve(t, {
      onRequest: async () => {
        throw new ProfileRefusedError('WRITE_QUEUE_FULL', 'the queue of endpoint x is full')
      }
    })
    const full = await queueFull.client().push(cpuPush({ service_name: 'a' }))
    assert.deepEqual([full.code, full.details], [GrpcStatus.UNAVAILABLE, 'the queue of endpoint x is full'])
    const badLabels = await serve(t, {
      onRequest: async () => {
        throw new ProfileRefusedError('WRITE_INVALID_LABELS', 'series 0: label name "1x" is invalid')
      }
    })
    assert.equal((await badLabels.client().push(cpuPush({ service_name: 'a' }))).code, GrpcStatus.INVALID_ARGUMENT)
  })

  it('cuts a body that does not arrive within the deadline with DEADLINE_EXCEEDED', async (t) => {
    const s = await serve(t, { bodyTimeoutMs: 300 })
    const message = cpuPush({ service_name: 'slow' })
    // The frame head and a few bytes, then nothing: the stream stays open on the client's side.
    const answer = await rawRequest(http2Session(t, s.port), {}, undefined, frame(message).subarray(0, 12))
    assert.equal(answer.headers['grpc-status'], String(GrpcStatus.DEADLINE_EXCEEDED))
    assert.match(decodeURIComponent(String(answer.headers['grpc-message'])), /did not arrive within 300 ms/)
    assert.equal(s.calls.length, 0)
  })

  it('answers UNIMPLEMENTED to another method, and 505 to a request that is not gRPC', async (t) => {
    const s = await serve(t)
    const session = http2Session(t, s.port)
    const other = await rawRequest(session, { ':path': '/push.v1.PusherService/Other' }, frame(Buffer.alloc(0)))
    assert.equal(other.headers['grpc-status'], String(GrpcStatus.UNIMPLEMENTED))
    const connect = await rawRequest(session, { 'content-type': 'application/proto' }, cpuPush({ service_name: 'x' }))
    assert.equal(connect.headers[':status'], 505)
    assert.match(connect.data.toString(), /only gRPC is served over HTTP\/2/)
    assert.equal(s.calls.length, 0)
  })

  it('serves HTTP/1.1 on the same port while a gRPC connection is open', async (t) => {
    const s = await serve(t)
    const client = s.client()
    const [grpcAnswer, http1] = await Promise.all([
      client.push(cpuPush({ service_name: 'over-grpc' })),
      httpRequest(`http://127.0.0.1:${s.port}${PUSH_METHOD}`, { method: 'POST', headers: { 'content-type': 'application/proto' }, body: cpuPush({ service_name: 'over-http1' }) })
    ])
    assert.equal(grpcAnswer.code, GrpcStatus.OK)
    assert.equal(http1.status, 200)
    assert.equal((await httpRequest(`http://127.0.0.1:${s.port}/-/ready`)).status, 200)
    assert.deepEqual(s.calls.map((c) => c[0]?.labels['service_name']).sort(), ['over-grpc', 'over-http1'])
  })

  it('closes a connection that sends part of the HTTP/2 preface and stops, after the header deadline', async (t) => {
    const s = await serve(t, { headerTimeoutMs: 300 })
    const socket = connect({ host: '127.0.0.1', port: s.port })
    t.after(() => socket.destroy())
    let closed = false
    socket.on('close', () => (closed = true))
    socket.on('error', () => undefined)
    socket.write('PRI * HTTP/2')
    await waitFor(() => closed, { timeoutMs: 5_000, what: 'the server closes the half-open preface' })
  })

  it('close() ends open HTTP/2 connections instead of waiting for the clients', { timeout: 10_000 }, async (t) => {
    const s = await serve(t)
    const client = s.client()
    assert.equal((await client.push(cpuPush({ service_name: 'before-close' }))).code, GrpcStatus.OK)
    // The client keeps its connection open; close() must not wait for it to go.
    await s.server.close()
    const after = await client.push(cpuPush({ service_name: 'after-close' }), { deadlineMs: 2_000 })
    assert.equal(after.code, GrpcStatus.UNAVAILABLE)
  })
})
