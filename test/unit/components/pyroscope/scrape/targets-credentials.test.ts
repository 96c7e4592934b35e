import { describe, it, before } from 'node:test'
import assert from 'node:assert/strict'
import { createKeyHasher, type KeyHasher } from '../../../../../src/util/label-hash.js'
import { DEFAULT_PROFILE_TYPES } from '../../../../../src/components/pyroscope/scrape/profile-types.js'
import { expandTargets, type ExpansionConfig } from '../../../../../src/components/pyroscope/scrape/targets.js'
import { displayArguments } from '../../../../../src/cli/agent-view.js'
import { redactUrl } from '../../../../../src/http/index.js'

const cfg: ExpansionConfig = {
  job_name: '',
  scheme: 'http',
  params: null,
  scrape_interval_ms: 15_000,
  scrape_timeout_ms: 18_000,
  delta_profiling_duration_ms: 14_000,
  path_prefix: '',
  profile_types: DEFAULT_PROFILE_TYPES
}

describe('credentials in __address__', () => {
  let hasher: KeyHasher
  before(async () => {
    hasher = await createKeyHasher()
  })

  it('log in through the scrape URL, but appear in no label that is shown or pushed', () => {
    const { scrapes } = expandTargets([{ __address__: 'u:SECRET@127.0.0.1:24051', service_name: 'a' }], cfg, hasher)
    assert.ok(scrapes.length > 0)
    for (const s of scrapes) {
      assert.match(s.url, /^http:\/\/u:SECRET@127\.0\.0\.1:24051\//, 'the request still carries them')
      assert.equal(s.forwardLabels['instance'], '127.0.0.1:24051')
      assert.equal(s.labels['instance'], '127.0.0.1:24051')
      assert.equal(s.labels['__address__'], 'u:xxxxx@127.0.0.1:24051')
      assert.doesNotMatch(JSON.stringify([s.labels, s.forwardLabels, redactUrl(s.url)]), /SECRET/)
    }
  })

  it('are redacted in dropped targets and their reasons', () => {
    const { dropped } = expandTargets([{ __address__: 'u:SECRET@127.0.0.1/x' }], cfg, hasher)
    assert.equal(dropped.length, 1)
    assert.doesNotMatch(JSON.stringify(dropped), /SECRET/)
    assert.equal(dropped[0]?.labels['__address__'], 'u:xxxxx@127.0.0.1/x')
  })

  it('are redacted in the arguments the components API shows', () => {
    const shown = JSON.stringify(displayArguments({ targets: [{ __address__: 'u:SECRET@127.0.0.1:24051' }] }))
    assert.equal(shown, '{"targets":[{"__address__":"u:xxxxx@127.0.0.1:24051"}]}')
  })
})
