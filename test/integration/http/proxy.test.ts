import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { createSecureServer } from 'node:http2'
import { createHttpClient, DEFAULT_HTTP_CLIENT_OPTIONS, describeRequestError } from '../../../src/http/index.js'
import type { HttpClient, HttpClientOptions } from '../../../src/http/index.js'
import type { HttpClientDeps } from '../../../src/http/client.js'
import { Secret } from '../../../src/syntax/value.js'
import { startConnectProxy } from '../../helpers/connect-proxy.js'
import { listenOnLoopback } from '../../helpers/free-port.js'
import type { TestProxy } from '../../helpers/connect-proxy.js'
import { startRecordingServer } from '../../helpers/recording-server.js'
import type { RecordingServer } from '../../helpers/recording-server.js'
import { testPki } from '../../helpers/tls-certs.js'

/** A name that resolves nowhere: only the test proxy (which always dials 127.0.0.1) can reach it. */
const PROXIED_HOST = 'profiles.test'

describe('http client proxies', () => {
  const pki = testPki()
  let plain: RecordingServer
  let secure: RecordingServer
  const proxies: TestProxy[] = []
  const clients: HttpClient[] = []
  const servers: Array<{ close(): Promise<void> }> = []

  before(async () => {
    plain = await startRecordingServer()
    secure = await startRecordingServer({ tls: { cert: pki.server.certPem, key: pki.server.keyPem } })
  })
  after(async () => {
    await Promise.all(clients.map((c) => c.close()))
    await Promise.all(proxies.map((p) => p.close()))
    await Promise.all([plain.close(), secure.close(), ...servers.map((s) => s.close())])
  })

  async function proxy(options: Parameters<typeof startConnectProxy>[0] = {}): Promise<TestProxy> {
    const p = await startConnectProxy(options)
    proxies.push(p)
    return p
  }

  function client(options: Partial<HttpClientOptions>, deps: HttpClientDeps = {}): HttpClient {
    const c = createHttpClient(
      { ...DEFAULT_HTTP_CLIENT_OPTIONS, enable_http2: false, tls_config: { ca_pem: pki.ca.certPem, insecure_skip_verify: false }, ...options },
      { userAgent: 'shardscope/test', env: {}, ...deps }
    )
    clients.push(c)
    return c
  }

  async function get(c: HttpClient, url: string): Promise<number> {
    const res = await c.request(url, { method: 'GET', signal: AbortSignal.timeout(5000) })
    await res.body.text()
    return res.statusCode
  }

  it('sends an http target through proxy_url as an absolute-form request', async () => {
    const p = await proxy()
    const url = `${plain.origin}/debug/pprof/heap?gc=1`
    assert.equal(await get(client({ proxy_url: p.url }), url), 200)
    assert.deepEqual(p.seen.map((r) => [r.method, r.target]), [['GET', url]])
    assert.equal(plain.requests.at(-1)?.url, '/debug/pprof/heap?gc=1')
  })

  it('tunnels an https target through CONNECT with the proxy_connect_header values', async () => {
    const p = await proxy()
    const c = client({
      proxy_url: p.url,
      proxy_connect_header: { 'X-Proxy-Token': [new Secret('alpha'), new Secret('beta')], 'X-Tenant': [new Secret('team-a')] }
    })
    assert.equal(await get(c, `${secure.origin}/debug/pprof/goroutine`), 200)
    const connect = p.seen.find((r) => r.method === 'CONNECT')
    assert.equal(connect?.target, `127.0.0.1:${secure.port}`)
    // Two values travel as two header lines, as with Go's http.Header; node joins them on receipt.
    assert.equal(connect?.headers['x-proxy-token'], 'alpha, beta')
    assert.equal(connect?.headers['x-tenant'], 'team-a')
    assert.equal(secure.requests.at(-1)?.url, '/debug/pprof/goroutine')
  })

  it('negotiates HTTP/2 inside the CONNECT tunnel when enable_http2 is true', async () => {
    const versions: string[] = []
    const h2 = await listenOnLoopback(
      createSecureServer({ allowHTTP1: true, cert: pki.server.certPem, key: pki.server.keyPem }, (req, res) => {
        versions.push(req.httpVersion)
        res.end('ok')
      })
    )
    servers.push(h2)
    const p = await proxy()
    assert.equal(await get(client({ proxy_url: p.url, enable_http2: true }), `https://127.0.0.1:${h2.port}/`), 200)
    assert.deepEqual(versions, ['2.0'])
    assert.deepEqual(p.seen.map((r) => r.method), ['CONNECT'])
  })

  it('does not send proxy_connect_header on plain http proxy requests', async () => {
    const p = await proxy()
    const c = client({ proxy_url: p.url, proxy_connect_header: { 'X-Proxy-Token': [new Secret('alpha')] } })
    assert.equal(await get(c, `${plain.origin}/x`), 200)
    assert.equal(p.seen.length, 1)
    assert.equal(p.seen[0]?.headers['x-proxy-token'], undefined)
  })

  it('bypasses the proxy for targets listed in no_proxy', async () => {
    const p = await proxy()
    const c = client({ proxy_url: p.url, no_proxy: `127.0.0.0/8,${PROXIED_HOST}:1` })
    const before = plain.requests.length
    assert.equal(await get(c, `${plain.origin}/direct`), 200)
    assert.equal(plain.requests.length, before + 1)
    // The same name on another port than the no_proxy entry's still goes through the proxy.
    assert.equal(await get(c, `http://${PROXIED_HOST}:${plain.port}/proxied`), 200)
    assert.deepEqual(p.seen.map((r) => r.target), [`http://${PROXIED_HOST}:${plain.port}/proxied`])
  })

  it('takes the proxy from the injected environment with proxy_from_environment', async () => {
    const p = await proxy()
    const c = client({ proxy_from_environment: true }, { env: { http_proxy: p.url, NO_PROXY: 'other.test' } })
    assert.equal(await get(c, `http://${PROXIED_HOST}:${plain.port}/from-env`), 200)
    assert.deepEqual(p.seen.map((r) => r.target), [`http://${PROXIED_HOST}:${plain.port}/from-env`])
    assert.equal(plain.requests.at(-1)?.headers.host, `${PROXIED_HOST}:${plain.port}`)
  })

  it('connects directly when the environment names no proxy', async () => {
    const c = client({ proxy_from_environment: true }, { env: {} })
    assert.equal(await get(c, `${plain.origin}/no-env-proxy`), 200)
    assert.equal(plain.requests.at(-1)?.url, '/no-env-proxy')
  })

  it('reports the status when the proxy refuses CONNECT', async () => {
    const p = await proxy({ refuseConnectWith: 403 })
    const c = client({ proxy_url: p.url, proxy_connect_header: { 'Proxy-Authorization': [new Secret('Basic c2VjcmV0')] } })
    const result = await c.request(`${secure.origin}/`, { method: 'GET', signal: AbortSignal.timeout(5000) }).then(
      () => assert.fail('expected the request to fail'),
      (e: unknown) => describeRequestError(e)
    )
    assert.deepEqual(result, { code: 'HTTP_PROXY_CONNECT_REFUSED', reason: 'proxy refused CONNECT with status 403' })
    assert.equal(p.seen[0]?.headers['proxy-authorization'], 'Basic c2VjcmV0')
  })
})
