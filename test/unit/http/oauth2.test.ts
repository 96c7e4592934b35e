import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { parseTokenResponse, tokenForm, tokenType } from '../../../src/http/oauth2.js'

describe('tokenForm', () => {
  it('asks for client credentials with space-joined scopes and the endpoint params', () => {
    const form = tokenForm({ proxy_from_environment: false, scopes: ['a', 'b c'], endpoint_params: { audience: 'x', resource: 'y' } })
    assert.equal(form.toString(), 'grant_type=client_credentials&scope=a+b+c&audience=x&resource=y')
  })

  it('leaves out scope when no scopes are configured', () => {
    assert.equal(tokenForm({ proxy_from_environment: false, scopes: [] }).has('scope'), false)
  })

  it('lets endpoint_params replace grant_type but not scope, as Go', () => {
    assert.equal(tokenForm({ proxy_from_environment: false, endpoint_params: { grant_type: 'custom' } }).get('grant_type'), 'custom')
    assert.throws(() => tokenForm({ proxy_from_environment: false, scopes: ['s'], endpoint_params: { scope: 'other' } }), /cannot overwrite parameter "scope"/)
  })
})

describe('parseTokenResponse', () => {
  it('reads a JSON token response', () => {
    assert.deepEqual(parseTokenResponse('{"access_token":"t","token_type":"bearer","expires_in":"120"}', 'application/json'), {
      accessToken: 't',
      tokenType: 'bearer',
      expiresInSeconds: 120
    })
  })

  it('reads a form-encoded token response', () => {
    assert.deepEqual(parseTokenResponse('access_token=t2&token_type=mac', 'application/x-www-form-urlencoded; charset=utf-8'), {
      accessToken: 't2',
      tokenType: 'mac',
      expiresInSeconds: 0
    })
  })

  it('refuses a body that is not JSON with a reason that does not echo it', () => {
    assert.throws(() => parseTokenResponse('<html>secret</html>', 'text/html'), (err: Error) => !err.message.includes('secret'))
  })
})

describe('tokenType', () => {
  it('spells the common types as Go Token.Type does', () => {
    assert.deepEqual(['', 'bearer', 'BEARER', 'mac', 'basic', 'DPoP'].map(tokenType), ['Bearer', 'Bearer', 'Bearer', 'MAC', 'Basic', 'DPoP'])
  })
})
