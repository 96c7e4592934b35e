import { describe, it } from 'node:test'
import type { TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { fileURLToPath } from 'node:url'
import protobuf from 'protobufjs'
import { Registry } from 'prom-client'
import {
  Endpoint,
  ProfileRefusedError,
  ProfileWriter,
  createWriteMetrics
} from '../../../src/components/pyroscope/write/index.js'
import type { EndpointOptions } from '../../../src/components/pyroscope/write/index.js'
import type { HttpClient } from '../../../src/http/types.js'
import { systemClock } from '../../../src/util/clock.js'
import { silentLogger } from '../../../src/util/logger.js'
import { createTestHttpClient } from '../../helpers/http.js'
import { startPushServer } from '../../helpers/receiver.js'
import type { PushServer, Reply } from '../../helpers/receiver.js'
import { waitFor } from '../../helpers/wait-for.js'

// dist/test/integration/write → the repository's test/fixtures (an encoder-independent decoder)
const PROTO = fileURLToPath(new URL('../../../../test/fixtures/proto/push.proto', import.meta.url))
const PushRequest = protobuf.loadSync(PROTO).lookupType('push.v1.PushRequest')

interface WireRequest {
  series: { labels: { name: string; value: string }[]; samples: { rawProfile: Uint8Array; ID: string }[] }[]
}

function decode(body: Buffer): WireRequest {
  return PushRequest.toObject(PushRequest.decode(body), { defaults: true }) as WireRequest
}

function endpointOptions(url: string, overrides: Partial<EndpointOptions> = {}): EndpointOptions {
  return {
    url,
    name: url,
    remote_timeout_ms: 5_000,
    headers: {},
    min_backoff_ms: 10,
    max_backoff_ms: 20,
    max_backoff_retries: 3,
    queue_capacity: 100,
    userAgent: 'shardscope/0.1.0',
    drain_grace_ms: 300,
    ...overrides
  }
}

interface Setup {
  writer: ProfileWriter
  endpoints: Endpoint[]
  servers: PushServer[]
}

async function setup(
  t: TestContext,
  servers: { replies: Reply[]; path?: string; options?: Partial<EndpointOptions> }[],
  externalLabels: Record<string, string> = {}
): Promise<Setup> {
  const registry = new Registry()
  const metrics = createWriteMetrics(registry)
  const started: PushServer[] = []
  const clients: HttpClient[] = []
  const endpoints: Endpoint[] = []
  for (const s of servers) {
    const server = await startPushServer(s.replies)
    const client = createTestHttpClient()
    started.push(server)
    clients.push(client)
    endpoints.push(
      new Endpoint(endpointOptions(server.url + (s.path ?? ''), s.options), {
        client,
        clock: systemClock,
        random: () => 0,
        logger: silentLogger(),
        metrics
      })
    )
  }
  const writer = new ProfileWriter({ endpoints, external_labels: externalLabels, logger: silentLogger(), clock: systemClock })
  const stop = new AbortController()
  const run = writer.run(stop.signal)
  t.after(async () => {
    stop.abort()
    await run
    await Promise.all(clients.map((c) => c.close()))
    await Promise.all(started.map((s) => s.close()))
  })
  return { writer, endpoints, servers: started }
}

describe('ProfileWriter', () => {
  it("pushes Alloy's write case on the wire: prepared labels, raw bytes, request id, Connect headers and custom headers", async (t) => {
    const { writer, servers } = await setup(
      t,
      [{ replies: [{ status: 200 }], path: '/prefix/', options: { headers: { 'X-Scope-OrgID': 'tenant-1' }, remote_timeout_ms: 7_000 } }],
      { foo: 'buzz' }
    )
    await writer.append({ __name__: 'test', __type__: 'type', job: 'foo', foo: 'bar', service_name: 'svc' }, [
      { raw: Buffer.from('pprofraw'), id: 'test-request-id' }
    ])
    const server = servers[0]
    assert.ok(server !== undefined)
    await server.waitForRequests(1)
    const request = server.requests[0]
    assert.ok(request !== undefined)
    assert.equal(request.method, 'POST')
    assert.equal(request.url, '/prefix/push.v1.PusherService/Push')
    assert.equal(request.headers['content-type'], 'application/proto')
    assert.equal(request.headers['connect-protocol-version'], '1')
    assert.equal(request.headers['connect-timeout-ms'], '7000')
    assert.equal(request.headers['user-agent'], 'shardscope/0.1.0')
    assert.equal(request.headers['x-scope-orgid'], 'tenant-1')

    const wire = decode(request.body)
    assert.equal(wire.series.length, 1)
    assert.deepEqual(wire.series[0]?.labels, [
      { name: '__name__', value: 'test' },
      { name: 'foo', value: 'buzz' },
      { name: 'job', value: 'foo' },
      { name: 'service_name', value: 'svc' }
    ])
    assert.equal(wire.series[0]?.samples.length, 1)
    assert.equal(Buffer.from(wire.series[0]?.samples[0]?.rawProfile ?? []).toString(), 'pprofraw')
    assert.equal(wire.series[0]?.samples[0]?.ID, 'test-request-id')
  })

  it('keeps __delta__ on the wire and drops the other __ labels', async (t) => {
    const { writer, servers } = await setup(t, [{ replies: [{ status: 200 }] }])
    await writer.append({ __name__: 'memory', __delta__: 'false', __address__: 'h:1', service_name: 's' }, [{ raw: Buffer.from('p') }])
    await servers[0]?.waitForRequests(1)
    const wire = decode(servers[0]?.requests[0]?.body ?? Buffer.alloc(0))
    assert.deepEqual(
      wire.series[0]?.labels.map((l) => l.name),
      ['__delta__', '__name__', 'service_name']
    )
  })

  it('rejects a profile with invalid labels, sends nothing, and counts it on every endpoint', async (t) => {
    const { writer, endpoints, servers } = await setup(t, [{ replies: [{ status: 200 }] }, { replies: [{ status: 200 }] }])
    await assert.rejects(writer.append({ __name__: 'cpu' }, [{ raw: Buffer.from('p') }]), (err: unknown) => {
      assert.ok(err instanceof ProfileRefusedError)
      assert.equal(err.code, 'WRITE_INVALID_LABELS')
      assert.equal(err.message, 'invalid labels in profile: service name is required')
      return true
    })
    await assert.rejects(writer.append({ service_name: 's', 'invalid-label-name': 'x' }, [{ raw: Buffer.from('p') }]), /invalid label name/)
    for (const e of endpoints) assert.equal(e.stats().dropped_invalid_labels, 2)
    assert.deepEqual(
      servers.map((s) => s.requests.length),
      [0, 0]
    )
  })

  it('never lets a stalled endpoint delay another one', async (t) => {
    const { writer, endpoints, servers } = await setup(t, [
      { replies: ['hang'], options: { remote_timeout_ms: 60_000, concurrency: 1 } },
      { replies: [{ status: 200 }] }
    ])
    const appendStarted = performance.now()
    for (const n of [1, 2, 3]) await writer.append({ service_name: `svc-${n}` }, [{ raw: Buffer.from(`p${n}`) }])
    const appendMs = performance.now() - appendStarted
    const [slow, fast] = servers
    assert.ok(slow !== undefined && fast !== undefined)
    await fast.waitForRequests(3, 2_000)
    await waitFor(() => endpoints[1]?.stats().sent === 3)
    assert.ok(appendMs < 500, `append took ${appendMs} ms`)
    assert.equal(slow.requests.length, 1, 'the stalled endpoint is still on its first push')
    assert.equal(endpoints[0]?.stats().sent, 0)
    assert.equal((endpoints[0]?.stats().queued ?? 0) + (endpoints[0]?.stats().in_flight ?? 0), 3)
  })

  it('rejects a profile that no endpoint could queue', async (t) => {
    const { writer, endpoints } = await setup(t, [
      { replies: ['hang'], options: { queue_capacity: 1, concurrency: 1, remote_timeout_ms: 60_000 } }
    ])
    await writer.append({ service_name: 'a' }, [{ raw: Buffer.from('1') }])
    await waitFor(() => endpoints[0]?.stats().in_flight === 1)
    await writer.append({ service_name: 'b' }, [{ raw: Buffer.from('2') }])
    await assert.rejects(writer.append({ service_name: 'c' }, [{ raw: Buffer.from('3') }]), (err: unknown) => {
      assert.ok(err instanceof ProfileRefusedError && err.code === 'WRITE_QUEUE_FULL')
      return true
    })
    assert.equal(endpoints[0]?.stats().dropped_queue_full, 1)
  })
})
