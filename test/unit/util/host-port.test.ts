import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { isHost, parseHostPort } from '../../../src/util/host-port.js'

describe('parseHostPort', () => {
  it('reads names, IPv4 and bracketed IPv6 addresses with a port from 0 to 65535', () => {
    assert.deepEqual(parseHostPort('127.0.0.1:4040'), { ok: true, host: '127.0.0.1', port: 4040 })
    assert.deepEqual(parseHostPort('pyroscope.example:65535'), { ok: true, host: 'pyroscope.example', port: 65535 })
    assert.deepEqual(parseHostPort('[::1]:0'), { ok: true, host: '::1', port: 0 })
    assert.deepEqual(parseHostPort('[::ffff:10.0.0.5]:12346'), { ok: true, host: '::ffff:10.0.0.5', port: 12346 })
  })

  it('takes an empty host (every interface) only when the caller allows it', () => {
    assert.deepEqual(parseHostPort(':8080', { emptyHost: true }), { ok: true, host: '', port: 8080 })
    assert.deepEqual(parseHostPort(':8080'), { ok: false, error: 'the host is empty' })
  })

  it('takes an IPv6 zone only when the caller allows it', () => {
    assert.deepEqual(parseHostPort('[fe80::1%eth0]:80', { ipv6Zone: true }), { ok: true, host: 'fe80::1%eth0', port: 80 })
    assert.equal(parseHostPort('[fe80::1%eth0]:80').ok, false)
    assert.equal(parseHostPort('[fe80::1%]:80', { ipv6Zone: true }).ok, false)
  })

  it('says what is wrong', () => {
    const cases: Array<[string, RegExp]> = [
      ['127.0.0.1', /no port/],
      ['127.0.0.1:', /port "" is not a number/],
      ['host:port', /port "port" is not a number/],
      ['host:123456', /port "123456" is not a number/],
      ['127.0.0.1:65536', /port 65536 is above 65535/],
      ['::1:80', /IPv6 address must be in brackets/],
      ['[::1:80', /no closing bracket/],
      ['[::1]', /no port after the IPv6 address/],
      ['[localhost]:80', /"localhost" is not an IPv6 address/],
      ['[]:80', /"" is not an IPv6 address/],
      ['my host:80', /whitespace, '\/' or a bracket/],
      ['a/b:80', /whitespace, '\/' or a bracket/],
      [' 10.0.0.1:80', /whitespace/]
    ]
    for (const [text, reason] of cases) {
      const parsed = parseHostPort(text)
      assert.equal(parsed.ok, false, text)
      assert.match(parsed.ok ? '' : parsed.error, reason, text)
    }
  })
})

describe('isHost', () => {
  it('accepts a host without a port in the same grammar', () => {
    for (const host of ['alloy-0', '10.0.0.2', '[::1]', '[fd00::5]']) assert.equal(isHost(host), true, host)
    for (const text of ['', 'seed:7', '::1', '[::1]:7', '[seed]', 'a b', 'a/b']) assert.equal(isHost(text), false, text)
  })
})
