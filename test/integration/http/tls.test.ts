import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { ServerOptions } from 'node:https'
import { createHttpClient, DEFAULT_HTTP_CLIENT_OPTIONS, describeRequestError } from '../../../src/http/index.js'
import type { HttpClient, TlsConfig } from '../../../src/http/index.js'
import { Secret } from '../../../src/syntax/value.js'
import { startRecordingServer } from '../../helpers/recording-server.js'
import type { RecordingServer } from '../../helpers/recording-server.js'
import { OTHER_NAME, testPki } from '../../helpers/tls-certs.js'
import type { KeyPair } from '../../helpers/tls-certs.js'

describe('http client tls_config', () => {
  const pki = testPki()
  const servers: RecordingServer[] = []
  const clients: HttpClient[] = []
  let dir: string

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'shardscope-tls-'))
  })
  after(async () => {
    await Promise.all(clients.map((c) => c.close()))
    await Promise.all(servers.map((s) => s.close()))
    await rm(dir, { recursive: true, force: true })
  })

  async function httpsServer(pair: KeyPair, extra: ServerOptions = {}): Promise<RecordingServer> {
    const s = await startRecordingServer({ tls: { cert: pair.certPem, key: pair.keyPem, ...extra } })
    servers.push(s)
    return s
  }

  function client(tls: Partial<TlsConfig> | undefined): HttpClient {
    const tls_config: TlsConfig | undefined = tls === undefined ? undefined : { insecure_skip_verify: false, ...tls }
    const c = createHttpClient({ ...DEFAULT_HTTP_CLIENT_OPTIONS, enable_http2: false, tls_config }, { userAgent: 'shardscope/test' })
    clients.push(c)
    return c
  }

  async function status(c: HttpClient, url: string): Promise<number> {
    const res = await c.request(url, { method: 'GET', signal: AbortSignal.timeout(5000) })
    await res.body.text()
    return res.statusCode
  }

  async function failure(c: HttpClient, url: string): Promise<{ code: string; reason: string }> {
    return c.request(url, { method: 'GET', signal: AbortSignal.timeout(5000) }).then(
      () => assert.fail('expected the request to fail'),
      (e: unknown) => describeRequestError(e)
    )
  }

  it('trusts a server signed by the CA given as ca_pem', async () => {
    const s = await httpsServer(pki.server)
    assert.equal(await status(client({ ca_pem: pki.ca.certPem }), `${s.origin}/`), 200)
  })

  it('trusts a server signed by the CA given as ca_file', async () => {
    const s = await httpsServer(pki.server)
    const caFile = join(dir, 'ca.pem')
    await writeFile(caFile, pki.ca.certPem)
    assert.equal(await status(client({ ca_file: caFile }), `${s.origin}/`), 200)
  })

  it('presents the client certificate to a server that requires one (mTLS)', async () => {
    const s = await httpsServer(pki.server, { ca: pki.ca.certPem, requestCert: true, rejectUnauthorized: true })
    const certFile = join(dir, 'client.pem')
    await writeFile(certFile, pki.client.certPem)
    const c = client({ ca_pem: pki.ca.certPem, cert_file: certFile, key_pem: new Secret(pki.client.keyPem) })
    assert.equal(await status(c, `${s.origin}/`), 200)
  })

  it('is refused by an mTLS server when no client certificate is configured', async () => {
    const s = await httpsServer(pki.server, { ca: pki.ca.certPem, requestCert: true, rejectUnauthorized: true })
    const { code } = await failure(client({ ca_pem: pki.ca.certPem }), `${s.origin}/`)
    assert.ok(code === 'HTTP_TLS_HANDSHAKE' || code === 'HTTP_CONNECTION_RESET', code)
  })

  it('uses server_name for SNI and for verifying the certificate', async () => {
    const s = await httpsServer(pki.otherName)
    assert.equal(await status(client({ ca_pem: pki.ca.certPem, server_name: OTHER_NAME }), `${s.origin}/`), 200)
    assert.equal(s.requests.at(-1)?.servername, OTHER_NAME)
    // The Host header still names the target, as in Go.
    assert.equal(s.requests.at(-1)?.headers.host, `127.0.0.1:${s.port}`)
  })

  it('overrides the name of a host target with server_name too', async () => {
    const s = await httpsServer(pki.otherName)
    assert.equal(await status(client({ ca_pem: pki.ca.certPem, server_name: OTHER_NAME }), `https://localhost:${s.port}/`), 200)
    assert.equal(s.requests.at(-1)?.servername, OTHER_NAME)
  })

  it('accepts any certificate with insecure_skip_verify', async () => {
    const s = await httpsServer(pki.selfSigned)
    assert.equal(await status(client({ insecure_skip_verify: true }), `${s.origin}/`), 200)
  })

  it('fails min_version TLS13 against a server that speaks at most TLS 1.2', async () => {
    const s = await httpsServer(pki.server, { maxVersion: 'TLSv1.2' })
    assert.equal(await status(client({ ca_pem: pki.ca.certPem, min_version: 'TLS12' }), `${s.origin}/`), 200)
    const { code, reason } = await failure(client({ ca_pem: pki.ca.certPem, min_version: 'TLS13' }), `${s.origin}/`)
    assert.equal(code, 'HTTP_TLS_PROTOCOL_VERSION')
    assert.match(reason, /min_version/)
  })

  it('reports an unknown CA when the server is signed by a CA the client does not trust', async () => {
    const s = await httpsServer(pki.server)
    const { code, reason } = await failure(client(undefined), `${s.origin}/`)
    assert.equal(code, 'HTTP_TLS_UNKNOWN_CA')
    assert.equal(reason, 'tls: certificate signed by unknown authority')
  })

  it('reports a self-signed certificate as an unknown CA', async () => {
    const s = await httpsServer(pki.selfSigned)
    const { code, reason } = await failure(client({ ca_pem: pki.ca.certPem }), `${s.origin}/`)
    assert.equal(code, 'HTTP_TLS_UNKNOWN_CA')
    assert.match(reason, /self-signed/)
  })

  it('reports a hostname mismatch when the certificate is for another name', async () => {
    const s = await httpsServer(pki.otherName)
    const { code, reason } = await failure(client({ ca_pem: pki.ca.certPem }), `${s.origin}/`)
    assert.equal(code, 'HTTP_TLS_HOSTNAME_MISMATCH')
    assert.equal(reason, "tls: certificate is not valid for the requested name (IP: 127.0.0.1 is not in the cert's list)")
  })

  it('reports an expired certificate', async () => {
    const s = await httpsServer(pki.expired)
    assert.deepEqual(await failure(client({ ca_pem: pki.ca.certPem }), `${s.origin}/`), {
      code: 'HTTP_TLS_EXPIRED',
      reason: 'tls: certificate has expired'
    })
  })

  it('refuses to build a client whose ca_file cannot be read, naming the file', () => {
    const missing = join(dir, 'no-such-ca.pem')
    assert.throws(() => client({ ca_file: missing }), (err: unknown) => {
      const { code, reason } = describeRequestError(err)
      return code === 'HTTP_TLS_CONFIG' && reason.includes(missing) && reason.includes('ENOENT')
    })
  })
})
