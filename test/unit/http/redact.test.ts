import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { isSecretParamName, redactUrl } from '../../../src/http/redact.js'

describe('redactUrl', () => {
  it('replaces the userinfo password with xxxxx and keeps the user, as Go URL.Redacted', () => {
    assert.equal(redactUrl('https://scraper:hunter2@pyroscope.example:4040/push'), 'https://scraper:xxxxx@pyroscope.example:4040/push')
  })

  it('replaces the values of secret-looking query parameters only', () => {
    const cases: Array<[string, string]> = [
      ['http://t:6060/debug/pprof/profile?seconds=14&token=abc', 'http://t:6060/debug/pprof/profile?seconds=14&token=xxxxx'],
      ['http://t/x?access_token=a&api_key=b&X-Amz-Signature=c&sig=d', 'http://t/x?access_token=xxxxx&api_key=xxxxx&X-Amz-Signature=xxxxx&sig=xxxxx'],
      ['http://t/x?password=p&client_secret=s', 'http://t/x?password=xxxxx&client_secret=xxxxx']
    ]
    for (const [input, expected] of cases) assert.equal(redactUrl(input), expected, input)
  })

  it('leaves a URL without secrets byte for byte as given', () => {
    for (const url of ['http://127.0.0.1:6060/debug/pprof/heap?gc=1', 'http://host', 'http://h/p?q=a+b&monkey=1#frag']) {
      assert.equal(redactUrl(url), url)
    }
  })

  it('keeps the other parameters and the fragment untouched when it redacts', () => {
    assert.equal(redactUrl('http://u:p@h/p?q=a+b%20c&key=k#frag'), 'http://u:xxxxx@h/p?q=a+b%20c&key=xxxxx#frag')
  })

  it('still hides a password in text that is not a parsable URL', () => {
    assert.equal(redactUrl('http://user:pa55@[bad'), 'http://user:xxxxx@[bad')
  })
})

describe('isSecretParamName', () => {
  it('recognises credential names and leaves ordinary ones', () => {
    for (const name of ['token', 'id_token', 'password', 'secret', 'key', 'api-key', 'apikey', 'sig', 'Signature', 'auth', 'credentials']) {
      assert.equal(isSecretParamName(name), true, name)
    }
    for (const name of ['seconds', 'gc', 'debug', 'monkey', 'author', 'keyword']) {
      assert.equal(isSecretParamName(name), false, name)
    }
  })
})
