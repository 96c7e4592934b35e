import { describe, it } from 'node:test'
import type { TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Registry } from 'prom-client'
import { ReceiveHttpComponent } from '../../../../../src/components/pyroscope/receive_http/component.js'
import { readIndex } from '../../../../../src/components/pyroscope/receive_http/index.js'
import { PROFILES_RECEIVER_TYPE } from '../../../../../src/components/pyroscope/receiver.js'
import type { ProfilesReceiver, RawSample } from '../../../../../src/components/pyroscope/receiver.js'
import { ProfileRefusedError } from '../../../../../src/components/pyroscope/write/index.js'
import { encodePushRequest } from '../../../../../src/components/pyroscope/write/push-request.js'
import type { PushSeries } from '../../../../../src/components/pyroscope/write/push-request.js'
import type { ComponentOptions } from '../../../../../src/runtime/component.js'
import { Capsule } from '../../../../../src/syntax/value.js'
import { systemClock } from '../../../../../src/util/clock.js'
import type { Labels } from '../../../../../src/util/labels.js'
import { silentLogger } from '../../../../../src/util/logger.js'
import { createKeyHasher } from '../../../../../src/util/label-hash.js'
import { httpRequest } from '../../../../helpers/http.js'
import { tinyProfile } from '../../../../helpers/receiver.js'
import { waitFor } from '../../../../helpers/wait-for.js'

const PUSH = '/push.v1.PusherService/Push'

/** A forward_to receiver that records what it takes and refuses the series whose service_name is in `refuse`. */
class RecordingTarget implements ProfilesReceiver {
  readonly taken: Labels[] = []
  constructor(private readonly refuse: ReadonlyMap<string, ProfileRefusedError> = new Map()) {}
  append(labels: Labels, _samples: readonly RawSample[]): Promise<void> {
    const refusal = this.refuse.get(labels['service_name'] ?? '')
    if (refusal !== undefined) return Promise.reject(refusal)
    this.taken.push(labels)
    return Promise.resolve()
  }
}

interface Running {
  url: string
  dir: string
}

async function start(t: TestContext, targets: ProfilesReceiver[]): Promise<Running> {
  const dir = await mkdtemp(join(tmpdir(), 'receive-http-component-'))
  const options: ComponentOptions = {
    id: 'pyroscope.receive_http.t',
    label: 't',
    logger: silentLogger(),
    metrics: new Registry(),
    clock: systemClock,
    storagePath: dir,
    services: { keyHasher: await createKeyHasher() },
    onStateChange: () => undefined
  }
  const component = new ReceiveHttpComponent(options, {
    listen_address: '127.0.0.1',
    listen_port: 0,
    forward_to: targets.map((r) => new Capsule(PROFILES_RECEIVER_TYPE, r)),
    storage_path: join(dir, 'store')
  })
  const controller = new AbortController()
  const run = component.run(controller.signal)
  t.after(async () => {
    controller.abort()
    await run
    await rm(dir, { recursive: true, force: true })
  })
  await waitFor(() => (component.debugInfo() as { address: string | null }).address !== null)
  return { url: `http://${(component.debugInfo() as { address: string }).address}`, dir: join(dir, 'store') }
}

function series(service: string | undefined): PushSeries {
  return {
    // Without service_name and __name__ (from which the receiver would take it, as Alloy's ensureServiceName).
    labels: service === undefined ? [['foo', 'bar']] : [['__name__', 'process_cpu'], ['service_name', service]],
    samples: [{ raw: tinyProfile() }]
  }
}

async function push(url: string, body: PushSeries[]): Promise<{ status: number; code: string | undefined }> {
  const res = await httpRequest(url + PUSH, { method: 'POST', headers: { 'content-type': 'application/proto' }, body: encodePushRequest(body) })
  return { status: res.status, code: res.status === 200 ? undefined : res.json<{ code: string }>().code }
}

describe('ReceiveHttpComponent', () => {
  it('forwards and stores every series of an accepted request', async (t) => {
    const target = new RecordingTarget()
    const r = await start(t, [target])
    assert.deepEqual(await push(r.url, [series('a'), series('b')]), { status: 200, code: undefined })
    assert.deepEqual(
      target.taken.map((l) => l['service_name']),
      ['a', 'b']
    )
    assert.equal((await readIndex(r.dir)).length, 2)
  })

  it('refuses a request with a series the writer would refuse (no service_name) with 400, forwarding and storing none of it', async (t) => {
    const target = new RecordingTarget()
    const r = await start(t, [target])
    assert.deepEqual(await push(r.url, [series('a'), series(undefined), series('c')]), { status: 400, code: 'invalid_argument' })
    assert.equal(target.taken.length, 0)
    assert.equal((await readIndex(r.dir)).length, 0)
  })

  it('answers a full queue with 503 and stores nothing when a forward fails', async (t) => {
    const full = new ProfileRefusedError('WRITE_QUEUE_FULL', 'no endpoint could queue the profile')
    const target = new RecordingTarget(new Map([['b', full]]))
    const r = await start(t, [target])
    assert.deepEqual(await push(r.url, [series('a'), series('b')]), { status: 503, code: 'unavailable' })
    assert.equal((await readIndex(r.dir)).length, 0)
  })

  it('answers a refusal for invalid labels from a forward target with 400', async (t) => {
    const invalid = new ProfileRefusedError('WRITE_INVALID_LABELS', 'invalid labels in profile: nope')
    const r = await start(t, [new RecordingTarget(new Map([['a', invalid]]))])
    assert.deepEqual(await push(r.url, [series('a')]), { status: 400, code: 'invalid_argument' })
    assert.equal((await readIndex(r.dir)).length, 0)
  })
})
