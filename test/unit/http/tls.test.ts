import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { buildTlsOptions, tlsMinVersion } from '../../../src/http/tls.js'
import { describeRequestError } from '../../../src/http/errors.js'
import { Secret } from '../../../src/syntax/value.js'

describe('tlsMinVersion', () => {
  it('maps the Alloy names to node versions and defaults to TLS 1.2 as Go does', () => {
    assert.equal(tlsMinVersion('TLS10'), 'TLSv1')
    assert.equal(tlsMinVersion('TLS11'), 'TLSv1.1')
    assert.equal(tlsMinVersion('TLS12'), 'TLSv1.2')
    assert.equal(tlsMinVersion('TLS13'), 'TLSv1.3')
    assert.equal(tlsMinVersion(undefined), 'TLSv1.2')
  })
})

describe('buildTlsOptions', () => {
  const files: Record<string, string> = { '/ca.pem': 'CA FILE', '/cert.pem': 'CERT FILE', '/key.pem': 'KEY FILE' }
  const read = (path: string): string => {
    const text = files[path]
    if (text === undefined) throw Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT' })
    return text
  }

  it('verifies servers with the system roots and TLS 1.2+ when no tls_config is given', () => {
    assert.deepEqual(buildTlsOptions(undefined, read), { rejectUnauthorized: true, minVersion: 'TLSv1.2' })
  })

  it('takes inline PEM text and reveals the key only into the options', () => {
    const options = buildTlsOptions(
      { ca_pem: 'CA', cert_pem: 'CERT', key_pem: new Secret('KEY'), server_name: 'name.example', insecure_skip_verify: false, min_version: 'TLS13' },
      read
    )
    assert.deepEqual(options, { ca: ['CA'], cert: 'CERT', key: 'KEY', servername: 'name.example', rejectUnauthorized: true, minVersion: 'TLSv1.3' })
  })

  it('reads ca_file, cert_file and key_file', () => {
    const options = buildTlsOptions({ ca_file: '/ca.pem', cert_file: '/cert.pem', key_file: '/key.pem', insecure_skip_verify: true }, read)
    assert.deepEqual(options, { ca: ['CA FILE'], cert: 'CERT FILE', key: 'KEY FILE', rejectUnauthorized: false, minVersion: 'TLSv1.2' })
  })

  it('refuses a client certificate without its key', () => {
    assert.throws(() => buildTlsOptions({ cert_pem: 'CERT', insecure_skip_verify: false }, read), /needs both a certificate .* and a key/)
  })

  it('names the unreadable file and the errno, not its content', () => {
    assert.throws(
      () => buildTlsOptions({ key_file: '/missing-key.pem', cert_pem: 'CERT', insecure_skip_verify: false }, read),
      (err: unknown) => {
        const { code, reason } = describeRequestError(err)
        return code === 'HTTP_TLS_CONFIG' && reason === 'tls_config: unable to read key_file /missing-key.pem: ENOENT'
      }
    )
  })
})
