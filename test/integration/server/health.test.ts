import assert from 'node:assert/strict'
import { connect, createServer } from 'node:net'
import { after, before, describe, it } from 'node:test'
import { Registry } from 'prom-client'
import { startServer } from '../../../src/server/index.js'
import { silentLogger } from '../../../src/util/logger.js'
import { listenOnLoopback } from '../../helpers/free-port.js'
import { httpRequest } from '../../helpers/http.js'
import { fixtureView, startTestServer } from './fixture.js'
import type { TestServer } from './fixture.js'

async function status(server: TestServer, path: string): Promise<{ code: number; text: string }> {
  const res = await httpRequest(server.base + path)
  return { code: res.status, text: res.text() }
}

/** Sends raw bytes (an HTTP client would refuse these request targets) and returns the whole reply. */
function rawRequest(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.end(text))
    let reply = ''
    socket.on('data', (d: Buffer) => (reply += d.toString()))
    socket.on('end', () => resolve(reply))
    socket.on('error', reject)
  })
}

describe('health and readiness', () => {
  let server: TestServer
  before(async () => {
    server = await startTestServer()
  })
  after(() => server.close())

  it('answers 200 "shardscope is healthy." while the view is healthy, 503 naming unhealthy components otherwise', async () => {
    server.view.state.healthy = true
    assert.deepEqual(await status(server, '/-/healthy'), { code: 200, text: 'shardscope is healthy.\n' })
    server.view.state.healthy = false
    const unhealthy = await status(server, '/-/healthy')
    assert.equal(unhealthy.code, 503)
    assert.match(unhealthy.text, /unhealthy components: pyroscope\.write\.default/)
  })

  it('answers 400 to a request target that is not a valid URL, and keeps serving', async () => {
    for (const target of ['//[', '//a b', '//:99999']) {
      const reply = await rawRequest(server.port, `GET ${target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`)
      assert.match(reply, /^HTTP\/1\.1 400 /, `${target}: ${reply.slice(0, 80)}`)
    }
    assert.equal((await status(server, '/metrics')).code, 200)
  })

  it('answers 200 when the view is ready and 503 when it is not', async () => {
    server.view.state.ready = true
    assert.equal((await status(server, '/-/ready')).code, 200)
    server.view.state.ready = false
    assert.deepEqual(await status(server, '/-/ready'), { code: 503, text: 'shardscope is not ready.\n' })
  })
})

describe('startServer', () => {
  it('rejects with a clear message when the port is already taken', async (t) => {
    const blocker = await listenOnLoopback(createServer())
    t.after(blocker.close)
    const listen = `127.0.0.1:${blocker.port}`
    await assert.rejects(
      startServer({ listen, view: fixtureView(), metrics: new Registry(), logger: silentLogger() }),
      { name: 'ServerListenError', message: `cannot listen on ${listen}: address already in use` }
    )
  })

  it('rejects a listen address without a port', async () => {
    await assert.rejects(
      startServer({ listen: '127.0.0.1', view: fixtureView(), metrics: new Registry(), logger: silentLogger() }),
      /cannot listen on 127\.0\.0\.1: invalid listen address "127\.0\.0\.1": want host:port/
    )
  })

  it('reports the port the OS picked for port 0 and stops answering once closed', async () => {
    const server = await startServer({ listen: '127.0.0.1:0', view: fixtureView(), metrics: new Registry(), logger: silentLogger() })
    assert.equal(server.address.host, '127.0.0.1')
    assert.ok(server.address.port > 0)
    const before = await httpRequest(`http://127.0.0.1:${server.address.port}/-/ready`)
    assert.equal(before.status, 200)
    await server.close()
    await assert.rejects(httpRequest(`http://127.0.0.1:${server.address.port}/-/ready`), { code: 'ECONNREFUSED' })
  })
})
