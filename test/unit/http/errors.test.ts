import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { describeRequestError, HttpClientError } from '../../../src/http/errors.js'

const withCode = (code: string, message = code, extra: object = {}): Error => Object.assign(new Error(message), { code, ...extra })

describe('describeRequestError', () => {
  it('maps node and undici error codes to stable codes and reasons', () => {
    const table: Array<[Error, string, string]> = [
      [withCode('ECONNREFUSED', 'connect ECONNREFUSED', { address: '127.0.0.1', port: 9 }), 'HTTP_CONNECTION_REFUSED', 'connection refused (127.0.0.1:9)'],
      [withCode('ECONNRESET'), 'HTTP_CONNECTION_RESET', 'connection reset by peer'],
      [withCode('UND_ERR_SOCKET', 'other side closed'), 'HTTP_CONNECTION_RESET', 'connection reset by peer'],
      [withCode('UND_ERR_CONNECT_TIMEOUT'), 'HTTP_CONNECT_TIMEOUT', 'timed out while connecting'],
      [withCode('UND_ERR_HEADERS_TIMEOUT'), 'HTTP_HEADERS_TIMEOUT', 'timed out waiting for response headers'],
      [withCode('UND_ERR_BODY_TIMEOUT'), 'HTTP_BODY_TIMEOUT', 'timed out reading the response body'],
      [withCode('ENOTFOUND', 'getaddrinfo ENOTFOUND', { hostname: 'nowhere.test' }), 'HTTP_DNS', 'DNS lookup failed for nowhere.test'],
      [withCode('CERT_HAS_EXPIRED'), 'HTTP_TLS_EXPIRED', 'tls: certificate has expired'],
      [withCode('UNABLE_TO_VERIFY_LEAF_SIGNATURE'), 'HTTP_TLS_UNKNOWN_CA', 'tls: certificate signed by unknown authority'],
      [withCode('ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION'), 'HTTP_TLS_PROTOCOL_VERSION', 'tls: no TLS version acceptable to both sides (check min_version)']
    ]
    for (const [err, code, reason] of table) assert.deepEqual(describeRequestError(err), { code, reason }, code)
  })

  it('finds the cause inside an AggregateError or an error cause chain', () => {
    const refused = withCode('ECONNREFUSED', 'refused', { address: '::1', port: 80 })
    assert.equal(describeRequestError(new AggregateError([refused], 'all failed')).code, 'HTTP_CONNECTION_REFUSED')
    assert.equal(describeRequestError(new Error('fetch failed', { cause: withCode('CERT_HAS_EXPIRED') })).code, 'HTTP_TLS_EXPIRED')
  })

  it('recognises a refused CONNECT and a proxy asking for authentication by their undici messages', () => {
    const connect = withCode('UND_ERR_ABORTED', 'Proxy response (403) !== 200 when HTTP Tunneling')
    assert.deepEqual(describeRequestError(connect), { code: 'HTTP_PROXY_CONNECT_REFUSED', reason: 'proxy refused CONNECT with status 403' })
    assert.equal(describeRequestError(new Error('Proxy Authentication Required (407)')).code, 'HTTP_PROXY_AUTH_REQUIRED')
  })

  it('tells a caller deadline from a caller abort', () => {
    assert.equal(describeRequestError(new DOMException('timed out', 'TimeoutError')).code, 'HTTP_TIMEOUT')
    assert.equal(describeRequestError(new DOMException('aborted', 'AbortError')).code, 'HTTP_ABORTED')
  })

  it('passes the code and message of the client’s own errors through', () => {
    assert.deepEqual(describeRequestError(new HttpClientError('HTTP_OAUTH2_TOKEN', 'oauth2 token endpoint http://t/ returned status 500')), {
      code: 'HTTP_OAUTH2_TOKEN',
      reason: 'oauth2 token endpoint http://t/ returned status 500'
    })
  })

  it('redacts URL credentials from the message of an unrecognised error', () => {
    const { code, reason } = describeRequestError(new Error('boom at http://user:topsecret@host/x?token=abc'))
    assert.equal(code, 'HTTP_REQUEST_FAILED')
    assert.equal(reason, 'request failed: boom at http://user:xxxxx@host/x?token=xxxxx')
  })
})
