import { describe, it } from 'node:test'
import type { TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { Registry } from 'prom-client'
import type { EndpointArguments, WriteArguments } from '../../../../../src/components/pyroscope/write/arguments.js'
import { WriteComponent } from '../../../../../src/components/pyroscope/write/component.js'
import { pyroscopeWrite } from '../../../../../src/components/pyroscope/write/definition.js'
import type { EndpointStats } from '../../../../../src/components/pyroscope/write/index.js'
import { ProfileRefusedError } from '../../../../../src/components/pyroscope/write/index.js'
import type { ProfilesReceiver } from '../../../../../src/components/pyroscope/receiver.js'
import { DEFAULT_HTTP_CLIENT_OPTIONS } from '../../../../../src/http/types.js'
import type { ComponentOptions } from '../../../../../src/runtime/component.js'
import type { Capsule } from '../../../../../src/syntax/value.js'
import { systemClock } from '../../../../../src/util/clock.js'
import { silentLogger } from '../../../../../src/util/logger.js'
import { createKeyHasher } from '../../../../../src/util/label-hash.js'
import { startPushServer } from '../../../../helpers/receiver.js'
import { waitFor } from '../../../../helpers/wait-for.js'

function endpointArgs(url: string, overrides: Partial<EndpointArguments> = {}): EndpointArguments {
  return {
    url,
    name: 'e',
    remote_timeout_ms: 5_000,
    headers: {},
    min_backoff_ms: 10,
    max_backoff_ms: 20,
    max_backoff_retries: 1,
    retry_on_http_429: true,
    queue_size: 100,
    http_client: DEFAULT_HTTP_CLIENT_OPTIONS,
    ...overrides
  }
}

function writeArgs(...endpoints: EndpointArguments[]): WriteArguments {
  return { endpoints, external_labels: {} }
}

interface Built {
  component: WriteComponent
  receiver: ProfilesReceiver
  registry: Registry
  stats(): EndpointStats
}

const keyHasher = await createKeyHasher()

function build(args: WriteArguments): Built {
  const registry = new Registry()
  const options: ComponentOptions = {
    id: 'pyroscope.write.t',
    label: 't',
    logger: silentLogger(),
    metrics: registry,
    clock: systemClock,
    storagePath: '',
    services: { keyHasher },
    onStateChange: () => undefined
  }
  const exports = pyroscopeWrite.initialExports('t')
  const component = new WriteComponent(options, args, exports)
  const receiver = (exports['receiver'] as Capsule<ProfilesReceiver>).value
  return {
    component,
    receiver,
    registry,
    stats: () => {
      const e = component.debugInfo().endpoints.find((x) => x.name === 'e')
      assert.ok(e !== undefined)
      return e.stats
    }
  }
}

function start(t: TestContext, c: WriteComponent): () => Promise<void> {
  const controller = new AbortController()
  const run = c.run(controller.signal)
  t.after(async () => {
    controller.abort()
    await run
  })
  return async () => {
    controller.abort()
    await run
  }
}

async function gauge(registry: Registry, name: string): Promise<number> {
  const metric = registry.getSingleMetric('pyroscope_write_queue_length')
  assert.ok(metric !== undefined)
  return (await metric.get()).values.find((v) => v.labels['endpoint'] === name)?.value ?? Number.NaN
}

const profile = (n: number): Parameters<ProfilesReceiver['append']> => [{ service_name: `svc-${n}` }, [{ raw: Buffer.from(`p${n}`) }]]

describe('WriteComponent.update', () => {
  it('before run: counts what the replaced writer held as dropped(shutdown), and keeps counting after the update', async (t) => {
    const server = await startPushServer([{ status: 200 }])
    t.after(() => server.close())
    const b = build(writeArgs(endpointArgs(server.url)))
    await b.receiver.append(...profile(1))
    await b.receiver.append(...profile(2))
    b.component.update(writeArgs(endpointArgs(server.url)))
    await waitFor(() => b.stats().dropped_shutdown === 2)
    await b.receiver.append(...profile(3))
    await start(t, b.component)()
    const stats = b.stats()
    assert.equal(stats.sent, 1)
    assert.equal(stats.dropped_shutdown, 2)
    assert.equal(server.requests.length, 1)
  })

  it('after shutdown: builds nothing, so the stopped writer keeps refusing', async (t) => {
    const server = await startPushServer([{ status: 200 }])
    t.after(() => server.close())
    const b = build(writeArgs(endpointArgs(server.url)))
    await start(t, b.component)()
    b.component.update(writeArgs(endpointArgs(server.url)))
    await assert.rejects(b.receiver.append(...profile(1)), (err: unknown) => err instanceof ProfileRefusedError && err.code === 'WRITE_QUEUE_FULL')
    assert.equal(b.stats().dropped_shutdown, 1)
  })

  it('while running: the draining writer does not overwrite the new queue-length gauge when it ends', async (t) => {
    // The old endpoint's push hangs until its 1 s remote_timeout; the new one's hang until the server closes.
    // Gauges are labelled by endpoint URL (docs/operations.md).
    const oldServer = await startPushServer(['hang'])
    const newServer = await startPushServer(['hang'])
    t.after(() => oldServer.close())
    const b = build(writeArgs(endpointArgs(oldServer.url, { remote_timeout_ms: 1_000 })))
    const stop = start(t, b.component)
    await b.receiver.append(...profile(0))
    await oldServer.waitForRequests(1)

    b.component.update(writeArgs(endpointArgs(newServer.url, { remote_timeout_ms: 60_000 })))
    // Four senders each take one profile (and hang); the next two stay queued.
    for (const n of [1, 2, 3, 4]) {
      await b.receiver.append(...profile(n))
      await waitFor(() => b.stats().in_flight === 1 + n)
    }
    await b.receiver.append(...profile(5))
    await b.receiver.append(...profile(6))
    assert.equal(await gauge(b.registry, newServer.url), 2)

    await waitFor(() => b.stats().dropped_retries_exhausted === 1, { timeoutMs: 5_000 })
    assert.equal(await gauge(b.registry, newServer.url), 2)

    await newServer.close()
    await stop()
    const stats = b.stats()
    assert.equal(stats.dropped_retries_exhausted, 7)
    assert.equal(stats.queued + stats.in_flight, 0)
  })
})
