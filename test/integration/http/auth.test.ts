import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createHttpClient, DEFAULT_HTTP_CLIENT_OPTIONS, describeRequestError } from '../../../src/http/index.js'
import type { HttpClient, HttpClientOptions } from '../../../src/http/index.js'
import { Secret } from '../../../src/syntax/value.js'
import { startRecordingServer } from '../../helpers/recording-server.js'
import type { RecordingServer } from '../../helpers/recording-server.js'

const basic = (user: string, password: string): string => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`

describe('http client authentication', () => {
  let server: RecordingServer
  let dir: string
  const clients: HttpClient[] = []

  before(async () => {
    server = await startRecordingServer()
    dir = await mkdtemp(join(tmpdir(), 'shardscope-auth-'))
  })
  after(async () => {
    await Promise.all(clients.map((c) => c.close()))
    await server.close()
    await rm(dir, { recursive: true, force: true })
  })

  function client(options: Partial<HttpClientOptions>): HttpClient {
    const c = createHttpClient({ ...DEFAULT_HTTP_CLIENT_OPTIONS, ...options }, { userAgent: 'shardscope/test' })
    clients.push(c)
    return c
  }

  /** Sends one GET and returns the Authorization header the server saw. */
  async function authorizationSeen(c: HttpClient): Promise<string | undefined> {
    const res = await c.request(`${server.origin}/debug/pprof/heap`, { method: 'GET', signal: AbortSignal.timeout(5000) })
    await res.body.text()
    assert.equal(res.statusCode, 200)
    return server.requests.at(-1)?.headers.authorization
  }

  it('sends basic_auth with an inline password', async () => {
    const c = client({ basic_auth: { username: 'scraper', password: new Secret('s3cret') } })
    assert.equal(await authorizationSeen(c), basic('scraper', 's3cret'))
  })

  it('reads the basic_auth password_file on every request', async () => {
    const file = join(dir, 'password')
    await writeFile(file, 'first-password\n')
    const c = client({ basic_auth: { username: 'scraper', password_file: file } })
    assert.equal(await authorizationSeen(c), basic('scraper', 'first-password'))
    await writeFile(file, 'second-password')
    assert.equal(await authorizationSeen(c), basic('scraper', 'second-password'))
  })

  it('sends authorization credentials with the default Bearer type', async () => {
    const c = client({ authorization: { type: '', credentials: new Secret('abc123') } })
    assert.equal(await authorizationSeen(c), 'Bearer abc123')
  })

  it('sends authorization credentials_file with a custom type and re-reads the file', async () => {
    const file = join(dir, 'credentials')
    await writeFile(file, 'key-one')
    const c = client({ authorization: { type: 'ApiKey', credentials_file: file } })
    assert.equal(await authorizationSeen(c), 'ApiKey key-one')
    await writeFile(file, 'key-two')
    assert.equal(await authorizationSeen(c), 'ApiKey key-two')
  })

  it('sends bearer_token', async () => {
    const c = client({ bearer_token: new Secret('tok-inline') })
    assert.equal(await authorizationSeen(c), 'Bearer tok-inline')
  })

  it('re-reads bearer_token_file after the file changes', async () => {
    const file = join(dir, 'token')
    await writeFile(file, 'token-before\n')
    const c = client({ bearer_token_file: file })
    assert.equal(await authorizationSeen(c), 'Bearer token-before')
    await writeFile(file, 'token-after\n')
    assert.equal(await authorizationSeen(c), 'Bearer token-after')
  })

  it('keeps an Authorization header set by the caller', async () => {
    const c = client({ bearer_token: new Secret('configured') })
    const res = await c.request(`${server.origin}/x`, { method: 'GET', headers: { Authorization: 'Custom given' }, signal: AbortSignal.timeout(5000) })
    await res.body.text()
    assert.equal(server.requests.at(-1)?.headers.authorization, 'Custom given')
  })

  it('sends the User-Agent on every request', async () => {
    const c = client({})
    await authorizationSeen(c)
    assert.equal(server.requests.at(-1)?.headers['user-agent'], 'shardscope/test')
  })

  it('defaults the User-Agent to shardscope/<package version>', async () => {
    const c = createHttpClient(DEFAULT_HTTP_CLIENT_OPTIONS)
    clients.push(c)
    await authorizationSeen(c)
    assert.match(String(server.requests.at(-1)?.headers['user-agent']), /^shardscope\/\d+\.\d+\.\d+/)
  })

  it('fails with a reason naming the missing token file and no secret', async () => {
    const c = client({ bearer_token_file: join(dir, 'missing-token') })
    const err = await c.request(`${server.origin}/x`, { method: 'GET', signal: AbortSignal.timeout(5000) }).then(
      () => assert.fail('expected the request to fail'),
      (e: unknown) => e
    )
    const { code, reason } = describeRequestError(err)
    assert.equal(code, 'HTTP_AUTH_FILE')
    assert.match(reason, /unable to read bearer_token_file .*missing-token: ENOENT/)
  })
})
