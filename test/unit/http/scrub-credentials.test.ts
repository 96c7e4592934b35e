import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { redactAddress, scrubCredentials } from '../../../src/http/index.js'

describe('scrubCredentials', () => {
  const cases: [string, string][] = [
    ['Authorization: Bearer abc.def-SECRET123 X-Scope-OrgID: t1', 'Authorization: xxxxx xxxxx X-Scope-OrgID: t1'],
    ['map[Authorization:[Basic dTpTRUNSRVQ=] User-Agent:[x]]', 'map[Authorization:xxxxx User-Agent:[x]]'],
    ['invalid token "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig" for tenant', 'invalid token "xxxxx" for tenant'],
    ['password=hunter2&user=bob', 'password=xxxxx&user=bob'],
    ['{"authorization": "Basic dTpTRUNSRVQ=", "x": 1}', '{"authorization": "xxxxx", "x": 1}'],
    ['{\\"x-api-key\\":\\"K3Y\\",\\"host\\":\\"h\\"}', '{\\"x-api-key\\":\\"xxxxx\\",\\"host\\":\\"h\\"}'],
    ['failed to push to http://u:SECRET@host/x?token=abc', 'failed to push to http://u:xxxxx@host/x?token=xxxxx'],
    ['series 3 has no samples', 'series 3 has no samples']
  ]
  for (const [input, expected] of cases) {
    it(`scrubs ${JSON.stringify(input)}`, () => assert.equal(scrubCredentials(input), expected))
  }
})

describe('redactAddress', () => {
  it('hides the password of user:password@host:port and leaves other addresses alone', () => {
    assert.equal(redactAddress('u:SECRET@127.0.0.1:24051'), 'u:xxxxx@127.0.0.1:24051')
    assert.equal(redactAddress('127.0.0.1:24051'), '127.0.0.1:24051')
    assert.equal(redactAddress('[::1]:80'), '[::1]:80')
  })
})
