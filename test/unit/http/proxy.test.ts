import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { parseNoProxy, proxyForUrl, resolveProxyRoute, shouldBypass } from '../../../src/http/proxy.js'
import { Secret } from '../../../src/syntax/value.js'

describe('shouldBypass (Go httpproxy NO_PROXY rules)', () => {
  const table: Array<[noProxy: string, host: string, port: string, bypass: boolean]> = [
    ['', 'example.com', '80', false],
    ['', 'localhost', '80', true],
    ['', '127.0.0.1', '80', true],
    ['', '127.1.2.3', '80', true],
    ['', '::1', '443', true],
    ['*', 'anything.example', '80', true],
    ['example.com', 'example.com', '80', true],
    ['example.com', 'sub.example.com', '80', true],
    ['example.com', 'notexample.com', '80', false],
    ['.example.com', 'example.com', '80', false],
    ['.example.com', 'sub.example.com', '80', true],
    ['*.example.com', 'sub.example.com', '80', true],
    ['*.example.com', 'example.com', '80', false],
    ['example.com:8080', 'example.com', '8080', true],
    ['example.com:8080', 'example.com', '80', false],
    ['10.0.0.0/8', '10.1.2.3', '80', true],
    ['10.0.0.0/8', '11.1.2.3', '80', false],
    ['192.168.1.10', '192.168.1.10', '9090', true],
    ['192.168.1.10:9090', '192.168.1.10', '9090', true],
    ['192.168.1.10:9090', '192.168.1.10', '80', false],
    ['[fd00::1]:443', 'fd00::1', '443', true],
    ['fd00::/8', 'fd12::5', '443', true],
    [' Example.COM , other.test ', 'other.test', '80', true],
    ['example.com', '10.0.0.1', '80', false]
  ]
  for (const [noProxy, host, port, bypass] of table) {
    it(`${bypass ? 'bypasses' : 'proxies'} ${host}:${port} with NO_PROXY="${noProxy}"`, () => {
      assert.equal(shouldBypass(parseNoProxy(noProxy), host, port), bypass)
    })
  }
})

describe('resolveProxyRoute and proxyForUrl', () => {
  const url = (u: string): URL => new URL(u)

  it('sends every request, loopback included, through a bare proxy_url', () => {
    const route = resolveProxyRoute({ proxy_url: 'http://proxy:3128', proxy_from_environment: false }, {})
    assert.ok(route)
    assert.equal(proxyForUrl(route, url('http://127.0.0.1:6060/')), 'http://proxy:3128')
    assert.equal(proxyForUrl(route, url('https://target:443/')), 'http://proxy:3128')
  })

  it('applies no_proxy (and the loopback rule) once no_proxy is set with proxy_url', () => {
    const route = resolveProxyRoute({ proxy_url: 'http://proxy:3128', no_proxy: 'internal.example', proxy_from_environment: false }, {})
    assert.ok(route)
    assert.equal(proxyForUrl(route, url('http://127.0.0.1:6060/')), undefined)
    assert.equal(proxyForUrl(route, url('http://a.internal.example/')), undefined)
    assert.equal(proxyForUrl(route, url('http://public.example/')), 'http://proxy:3128')
  })

  it('reads upper-case variables before lower-case ones and keeps http and https proxies apart', () => {
    const env = { HTTP_PROXY: 'http://upper:1', http_proxy: 'http://lower:1', https_proxy: 'secure-proxy:8443' }
    const route = resolveProxyRoute({ proxy_from_environment: true }, env)
    assert.ok(route)
    assert.equal(proxyForUrl(route, url('http://t.example/')), 'http://upper:1')
    // A scheme-less value means http://, as in Go.
    assert.equal(proxyForUrl(route, url('https://t.example/')), 'http://secure-proxy:8443')
  })

  it('does not fall back from HTTPS_PROXY to HTTP_PROXY, unlike undici', () => {
    const route = resolveProxyRoute({ proxy_from_environment: true }, { HTTP_PROXY: 'http://p:1' })
    assert.ok(route)
    assert.equal(proxyForUrl(route, url('https://t.example/')), undefined)
  })

  it('honours NO_PROXY from the environment', () => {
    const route = resolveProxyRoute({ proxy_from_environment: true }, { HTTP_PROXY: 'http://p:1', no_proxy: 't.example' })
    assert.ok(route)
    assert.equal(proxyForUrl(route, url('http://t.example/')), undefined)
    assert.equal(proxyForUrl(route, url('http://u.example/')), 'http://p:1')
  })

  it('gives no route when nothing names a proxy', () => {
    assert.equal(resolveProxyRoute({ proxy_from_environment: false }, { HTTP_PROXY: 'http://ignored:1' }), undefined)
    assert.equal(resolveProxyRoute({ proxy_from_environment: true }, { HTTP_PROXY: '' }), undefined)
  })

  it('reveals proxy_connect_header values, one line per value', () => {
    const route = resolveProxyRoute(
      { proxy_url: 'http://p:1', proxy_from_environment: false, proxy_connect_header: { 'X-One': [new Secret('a')], 'X-Two': [new Secret('b'), new Secret('c')] } },
      {}
    )
    assert.deepEqual(route?.connectHeaders, { 'x-one': 'a', 'x-two': ['b', 'c'] })
  })
})
