import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { startReceiveServer } from '../../../../../src/components/pyroscope/receive_http/index.js'
import { ReplayGuard, REPLAY_WINDOW_MS } from '../../../../../src/components/pyroscope/receive_http/replay.js'
import { silentLogger } from '../../../../../src/util/logger.js'
import { encodePushRequest } from '../../../../../src/components/pyroscope/write/push-request.js'
import { httpRequest } from '../../../../helpers/http.js'
import { tinyProfile } from '../../../../helpers/receiver.js'
import { waitFor } from '../../../../helpers/wait-for.js'

const PUSH = '/push.v1.PusherService/Push'

describe('retries of a handled request', () => {
  it('stores a request whose client gave up waiting once, even when the client sends it again', async (t) => {
    let calls = 0
    let finished = 0
    const release: (() => void)[] = []
    const server = await startReceiveServer({
      host: '127.0.0.1',
      port: 0,
      logger: silentLogger(),
      onRequest: async () => {
        calls++
        await new Promise<void>((resolve) => release.push(resolve))
        finished++
      }
    })
    t.after(() => server.close())
    const url = `http://127.0.0.1:${server.address.port}${PUSH}`
    // RawSample.ID names the push: an identical body with IDs is the same push again.
    const body = encodePushRequest([{ labels: [['service_name', 'a']], samples: [{ raw: tinyProfile(), id: 'push-1' }] }])
    const send = (signal?: AbortSignal) => httpRequest(url, { method: 'POST', headers: { 'content-type': 'application/proto' }, body, ...(signal ? { signal } : {}) })
    // The client gives up while the first request is being stored.
    const giveUp = new AbortController()
    const first = send(giveUp.signal)
    await waitFor(() => release.length === 1 || undefined, { timeoutMs: 5_000, what: 'the first request handled' })
    giveUp.abort()
    await assert.rejects(first)
    // Its retry while the first is still being stored: asked to come back later.
    const early = await send()
    assert.equal(early.status, 503)
    assert.equal(early.headers['retry-after'], '1')
    release.shift()?.()
    await waitFor(() => finished === 1 || undefined, { timeoutMs: 5_000, what: 'the first request stored' })
    // Its retry after that: 200, and stored once only.
    const retry = await send()
    assert.equal(retry.status, 200)
    assert.equal(calls, 1)
  })

  it('forgets a body after the window, and one whose handling failed at once', () => {
    let now = 0
    const guard = new ReplayGuard(() => now)
    assert.equal(guard.begin('a'), 'new')
    assert.equal(guard.begin('a'), 'in-progress')
    guard.finish('a', true)
    assert.equal(guard.begin('a'), 'handled')
    now += REPLAY_WINDOW_MS + 1
    assert.equal(guard.begin('a'), 'new')
    guard.finish('a', false)
    assert.equal(guard.begin('a'), 'new')
  })

  it('handles identical bodies without sample IDs every time: they may be two real pushes', async (t) => {
    let calls = 0
    const server = await startReceiveServer({ host: '127.0.0.1', port: 0, logger: silentLogger(), onRequest: async () => void calls++ })
    t.after(() => server.close())
    const body = encodePushRequest([{ labels: [['service_name', 'a']], samples: [{ raw: tinyProfile() }] }])
    for (let i = 0; i < 2; i++) {
      const res = await httpRequest(`http://127.0.0.1:${server.address.port}${PUSH}`, { method: 'POST', headers: { 'content-type': 'application/proto' }, body })
      assert.equal(res.status, 200)
    }
    assert.equal(calls, 2)
  })
})
