import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { createHttpClient, DEFAULT_HTTP_CLIENT_OPTIONS, describeRequestError } from '../../../src/http/index.js'
import type { HttpClient, HttpClientOptions, OAuth2Config } from '../../../src/http/index.js'
import { Secret } from '../../../src/syntax/value.js'
import { closedPort } from '../../helpers/free-port.js'
import { startTokenServer, tokenFor } from '../../helpers/oauth2-server.js'
import type { TestTokenServer } from '../../helpers/oauth2-server.js'
import { startRecordingServer } from '../../helpers/recording-server.js'
import type { RecordingServer } from '../../helpers/recording-server.js'
import { testPki } from '../../helpers/tls-certs.js'

const CLIENT_SECRET = 'client-secret-value'

describe('http client oauth2 client credentials', () => {
  let target: RecordingServer
  const clients: HttpClient[] = []
  const tokenServers: TestTokenServer[] = []

  before(async () => {
    target = await startRecordingServer()
  })
  after(async () => {
    await Promise.all(clients.map((c) => c.close()))
    await Promise.all(tokenServers.map((s) => s.close()))
    await target.close()
  })

  async function tokenServer(options: Parameters<typeof startTokenServer>[0] = {}): Promise<TestTokenServer> {
    const s = await startTokenServer(options)
    tokenServers.push(s)
    return s
  }

  function client(oauth2: OAuth2Config, now: () => number = Date.now): HttpClient {
    const options: HttpClientOptions = { ...DEFAULT_HTTP_CLIENT_OPTIONS, oauth2 }
    const c = createHttpClient(options, { now, userAgent: 'shardscope/test' })
    clients.push(c)
    return c
  }

  async function get(c: HttpClient): Promise<string | undefined> {
    const res = await c.request(`${target.origin}/debug/pprof/profile`, { method: 'GET', signal: AbortSignal.timeout(5000) })
    await res.body.text()
    return target.requests.at(-1)?.headers.authorization
  }

  const baseConfig = (tokenUrl: string): OAuth2Config => ({
    proxy_from_environment: false,
    client_id: 'scraper id',
    client_secret: new Secret(CLIENT_SECRET),
    token_url: tokenUrl,
    scopes: ['profiles:read', 'profiles:write'],
    endpoint_params: { audience: 'pyroscope' }
  })

  it('fetches a token with scopes and endpoint_params and sends it as a Bearer token', async () => {
    const tokens = await tokenServer()
    const c = client(baseConfig(tokens.url))
    assert.equal(await get(c), `Bearer ${tokenFor(1)}`)
    const seen = tokens.requests[0]
    assert.ok(seen)
    assert.equal(seen.form.get('grant_type'), 'client_credentials')
    assert.equal(seen.form.get('scope'), 'profiles:read profiles:write')
    assert.equal(seen.form.get('audience'), 'pyroscope')
    // Go's clientcredentials sends id and secret URL-encoded in a Basic header first.
    assert.equal(seen.headers.authorization, `Basic ${Buffer.from(`scraper+id:${CLIENT_SECRET}`).toString('base64')}`)
    assert.equal(seen.headers['content-type'], 'application/x-www-form-urlencoded')
  })

  it('reuses a cached token: two requests make one token fetch', async () => {
    const tokens = await tokenServer()
    const c = client(baseConfig(tokens.url))
    assert.equal(await get(c), `Bearer ${tokenFor(1)}`)
    assert.equal(await get(c), `Bearer ${tokenFor(1)}`)
    assert.equal(tokens.requests.length, 1)
  })

  it('shares one in-flight token fetch between concurrent requests', async () => {
    const tokens = await tokenServer()
    const c = client(baseConfig(tokens.url))
    const responses = await Promise.all(
      [1, 2, 3].map(() => c.request(`${target.origin}/concurrent`, { method: 'GET', signal: AbortSignal.timeout(5000) }))
    )
    await Promise.all(responses.map((r) => r.body.text()))
    assert.equal(tokens.requests.length, 1)
  })

  it('fetches a new token once the cached one is about to expire', async () => {
    const tokens = await tokenServer({ expiresIn: 60 })
    let now = 1_000_000
    const c = client(baseConfig(tokens.url), () => now)
    assert.equal(await get(c), `Bearer ${tokenFor(1)}`)
    now += 45_000 // 15 s left: still valid with the 10 s margin
    assert.equal(await get(c), `Bearer ${tokenFor(1)}`)
    now += 6_000 // 9 s left: inside the margin
    assert.equal(await get(c), `Bearer ${tokenFor(2)}`)
    assert.equal(tokens.requests.length, 2)
  })

  it('falls back to client_id and client_secret in the form when the endpoint refuses the Basic header', async () => {
    const tokens = await tokenServer({ refuseAuthStyle: 'header' })
    const c = client(baseConfig(tokens.url))
    assert.equal(await get(c), `Bearer ${tokenFor(2)}`)
    const second = tokens.requests[1]
    assert.equal(second?.form.get('client_id'), 'scraper id')
    assert.equal(second?.form.get('client_secret'), CLIENT_SECRET)
  })

  it('uses its own tls_config to reach a token endpoint on https signed by the test CA', async () => {
    const pki = testPki()
    const tokens = await tokenServer({ tls: pki.server })
    const c = client({ ...baseConfig(tokens.url), tls_config: { ca_pem: pki.ca.certPem, insecure_skip_verify: false } })
    assert.equal(await get(c), `Bearer ${tokenFor(1)}`)
  })

  it('fails with a clear reason, and no secret, when the token endpoint is down', async () => {
    const port = await closedPort()
    const c = client(baseConfig(`http://127.0.0.1:${port}/token`))
    const err = await get(c).then(
      () => assert.fail('expected the request to fail'),
      (e: unknown) => e
    )
    const { code, reason } = describeRequestError(err)
    assert.equal(code, 'HTTP_OAUTH2_TOKEN')
    assert.match(reason, new RegExp(`^oauth2 token endpoint http://127\\.0\\.0\\.1:${port}/token: connection refused`))
    assert.ok(!reason.includes(CLIENT_SECRET))
    assert.ok(!String((err as Error).message).includes(CLIENT_SECRET))
  })

  it('names the status and the OAuth error code when the endpoint rejects the client', async () => {
    const tokens = await tokenServer({ refuseAll: true })
    const c = client(baseConfig(tokens.url))
    const err = await get(c).then(
      () => assert.fail('expected the request to fail'),
      (e: unknown) => e
    )
    assert.deepEqual(describeRequestError(err), {
      code: 'HTTP_OAUTH2_TOKEN',
      reason: `oauth2 token endpoint ${tokens.url} returned status 401 (invalid_client)`
    })
    // Both of Go's client authentication styles were tried before giving up.
    assert.equal(tokens.requests.length, 2)
  })
})
