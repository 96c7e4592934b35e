/**
 * pyroscope.write in a real `shardscope run` pushes through a proxy that loses the answer to the first
 * request (the receiver stored it, the client never hears so), to a real `shardscope receive`. The writer
 * retries the same bytes, each profile named by its own RawSample.ID, so the receiver knows the retry for a
 * replay of what it stored and answers 200 without storing it again (docs/hostile-input.md, "All or
 * nothing"). Without an ID, the retry would be stored a second time.
 */
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { createServer } from 'node:http'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { readIndex } from '../../../src/components/pyroscope/receive_http/index.js'
import { decodePushRequest } from '../../../src/components/pyroscope/write/index.js'
import { freePort, listenOnLoopback } from '../../helpers/free-port.js'
import { pushOf } from '../../helpers/hostile-bodies.js'
import { httpRequest, isReady } from '../../helpers/http.js'
import { startShardscope } from '../../helpers/processes.js'
import { tinyProfile } from '../../helpers/receiver.js'
import { waitFor } from '../../helpers/wait-for.js'

const PUSH = '/push.v1.PusherService/Push'

interface Proxied {
  readonly body: Buffer
  /** The receiver's status, whether or not it reached the client. */
  readonly upstreamStatus: number
  readonly answered: boolean
}

describe('pyroscope.write retrying after a lost answer', () => {
  it('sends the same bytes with a RawSample.ID again, and shardscope receive stores the profile once', { timeout: 60_000 }, async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'shardscope-lost-answer-'))
    t.after(() => rm(dir, { recursive: true, force: true }))
    const receiver = startShardscope(['receive', '--listen', '127.0.0.1:0', '--dir', join(dir, 'received')])
    t.after(() => receiver.stop('SIGKILL'))
    const receivePort = Number((await receiver.waitForOutput(/listening on http:\/\/127\.0\.0\.1:(\d+)/))[1])

    // Forwards every push; the answer to the first one is lost: its connection is cut once the receiver answered.
    const proxied: Proxied[] = []
    const proxy = await listenOnLoopback(
      createServer((req, res) => {
        const chunks: Buffer[] = []
        req.on('data', (c: Buffer) => chunks.push(c))
        req.on('end', () => {
          const body = Buffer.concat(chunks)
          void httpRequest(`http://127.0.0.1:${receivePort}${req.url ?? PUSH}`, {
            method: 'POST',
            headers: { 'content-type': req.headers['content-type'] ?? 'application/proto' },
            body
          }).then((upstream) => {
            const answered = proxied.length > 0
            proxied.push({ body, upstreamStatus: upstream.status, answered })
            if (answered) res.writeHead(upstream.status, { 'content-type': String(upstream.headers['content-type'] ?? 'application/json') }).end(upstream.body)
            else req.socket.destroy()
          })
        })
      })
    )
    t.after(() => proxy.close())

    const inPort = await freePort()
    const apiPort = await freePort()
    await writeFile(
      join(dir, 'agent.alloy'),
      `pyroscope.write "out" {
  endpoint {
    url                = "http://127.0.0.1:${proxy.port}"
    min_backoff_period = "50ms"
    max_backoff_period = "100ms"
  }
}
pyroscope.receive_http "in" {
  http {
    listen_address = "127.0.0.1"
    listen_port    = ${inPort}
  }
  forward_to = [pyroscope.write.out.receiver]
}
`
    )
    const agent = startShardscope(['run', join(dir, 'agent.alloy'), '--server.http.listen-addr', `127.0.0.1:${apiPort}`, '--storage.path', join(dir, 'data')])
    t.after(() => agent.stop('SIGKILL'))
    await waitFor(() => isReady(`http://127.0.0.1:${inPort}`), {
      timeoutMs: 20_000,
      what: `the agent's receiver listening\n${agent.output().slice(-2000)}`
    })

    // One profile, without an ID, into the agent.
    const pushed = await httpRequest(`http://127.0.0.1:${inPort}${PUSH}`, { method: 'POST', headers: { 'content-type': 'application/proto' }, body: pushOf([tinyProfile()]) })
    assert.equal(pushed.status, 200, pushed.text())

    await waitFor(() => proxied.some((p) => p.answered) || undefined, { timeoutMs: 20_000, what: `a retry answered (proxied: ${proxied.length})\n${agent.output().slice(-2000)}` })
    const [lost, retry] = proxied as [Proxied, Proxied]
    assert.equal(lost.upstreamStatus, 200, 'the receiver stored the first request')
    assert.equal(retry.upstreamStatus, 200, 'and answered its retry')
    assert.deepEqual(retry.body, lost.body, 'the retry is the same bytes')
    const stored = await readIndex(join(dir, 'received'))
    assert.equal(stored.length, 1, `stored once: ${JSON.stringify(stored)}`)
    const decoded = decodePushRequest(lost.body)
    assert.ok(decoded.ok, decoded.ok ? '' : decoded.reason)
    const ids = decoded.series.flatMap((s) => s.samples.map((sample) => sample.id))
    assert.equal(ids.length, 1)
    assert.match(ids[0] ?? '', /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/, 'a random UUID names the profile')
    assert.equal(proxied.length, 2, 'no further attempt after the answered retry')
  })
})
