import { after, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { createServer } from 'node:net'
import type { Socket } from 'node:net'
import { createHttpClient, DEFAULT_HTTP_CLIENT_OPTIONS, describeRequestError } from '../../../src/http/index.js'
import type { HttpClient } from '../../../src/http/index.js'
import { Secret } from '../../../src/syntax/value.js'
import { closedPort, listenOnLoopback } from '../../helpers/free-port.js'

const TOKEN = 'never-show-this-token'

describe('http client connection failures', () => {
  const closers: Array<{ close(): Promise<void> }> = []
  after(async () => {
    for (const c of closers.reverse()) await c.close()
  })

  function client(): HttpClient {
    const c = createHttpClient({ ...DEFAULT_HTTP_CLIENT_OPTIONS, bearer_token: new Secret(TOKEN) }, { userAgent: 'shardscope/test' })
    closers.push(c)
    return c
  }

  async function failure(url: string, signal: AbortSignal = AbortSignal.timeout(5000)): Promise<{ code: string; reason: string }> {
    return client()
      .request(url, { method: 'GET', signal })
      .then(
        () => assert.fail('expected the request to fail'),
        (e: unknown) => describeRequestError(e)
      )
  }

  /** A TCP server that runs `onData` on every connection once the request arrives. */
  async function rawServer(onData: (socket: Socket) => void): Promise<number> {
    const server = createServer((socket) => socket.once('data', () => onData(socket)))
    const listening = await listenOnLoopback(server)
    closers.push(listening)
    return listening.port
  }

  it('says that the server answered plain HTTP when an https URL reaches a plain-HTTP server', async () => {
    const port = await rawServer((socket) => socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n'))
    const result = await failure(`https://127.0.0.1:${port}/debug/pprof/heap`)
    assert.deepEqual(result, {
      code: 'HTTP_TLS_HANDSHAKE',
      reason: 'http: server gave HTTP response to HTTPS client (the target serves plain HTTP: scrape it with scheme = "http")'
    })
  })

  it('reports connection refused for a closed port on 127.0.0.1, with the address', async () => {
    const port = await closedPort()
    const result = await failure(`http://127.0.0.1:${port}/debug/pprof/heap`)
    assert.deepEqual(result, { code: 'HTTP_CONNECTION_REFUSED', reason: `connection refused (127.0.0.1:${port})` })
    assert.ok(!result.reason.includes(TOKEN))
  })

  it('reports a connection reset when the server resets the connection', async () => {
    const port = await rawServer((socket) => socket.resetAndDestroy())
    const result = await failure(`http://127.0.0.1:${port}/debug/pprof/heap`)
    assert.deepEqual(result, { code: 'HTTP_CONNECTION_RESET', reason: 'connection reset by peer' })
  })

  it('reports a connection reset when the server closes without answering', async () => {
    const port = await rawServer((socket) => socket.end())
    const result = await failure(`http://127.0.0.1:${port}/`)
    assert.equal(result.code, 'HTTP_CONNECTION_RESET')
  })

  it('reports a timeout when the caller deadline passes before the server answers', async () => {
    const port = await rawServer(() => undefined)
    const result = await failure(`http://127.0.0.1:${port}/`, AbortSignal.timeout(150))
    assert.deepEqual(result, { code: 'HTTP_TIMEOUT', reason: 'request timed out' })
  })

  it('reports an abort when the caller aborts the request', async () => {
    const port = await rawServer(() => undefined)
    const controller = new AbortController()
    const pending = failure(`http://127.0.0.1:${port}/`, controller.signal)
    controller.abort()
    assert.deepEqual(await pending, { code: 'HTTP_ABORTED', reason: 'request aborted' })
  })
})
