import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { parseListenAddress } from '../../../src/server/listen-address.js'

describe('parseListenAddress', () => {
  it('reads host:port, bracketed IPv6 and an empty host meaning every interface', () => {
    assert.deepEqual(parseListenAddress('127.0.0.1:12345'), { ok: true, address: { host: '127.0.0.1', port: 12345 } })
    assert.deepEqual(parseListenAddress('[::1]:0'), { ok: true, address: { host: '::1', port: 0 } })
    assert.deepEqual(parseListenAddress(':8080'), { ok: true, address: { host: undefined, port: 8080 } })
    assert.deepEqual(parseListenAddress('localhost:1'), { ok: true, address: { host: 'localhost', port: 1 } })
    assert.deepEqual(parseListenAddress('[fe80::1%eth0]:80'), { ok: true, address: { host: 'fe80::1%eth0', port: 80 } })
  })

  it('refuses a missing port, a port above 65535 and an unbracketed IPv6 address', () => {
    for (const bad of ['127.0.0.1', '127.0.0.1:', '127.0.0.1:65536', '::1:80', 'host:port']) {
      const parsed = parseListenAddress(bad)
      assert.equal(parsed.ok, false, bad)
      assert.match(parsed.ok ? '' : parsed.error, /want host:port/)
    }
  })
})
