import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { DiscoveryError, parseTargetGroups } from '../../../../../src/components/discovery/http/refresh.js'

describe('parseTargetGroups (Prometheus HTTP SD format)', () => {
  it('flattens groups into targets with the group labels, __address__ and __meta_url', () => {
    const targets = parseTargetGroups(
      [
        { targets: ['a:1', 'b:2'], labels: { env: 'prod' } },
        { targets: ['c:3'] }
      ],
      'http://sd/targets'
    )
    assert.deepEqual(targets, [
      { env: 'prod', __meta_url: 'http://sd/targets', __address__: 'a:1' },
      { env: 'prod', __meta_url: 'http://sd/targets', __address__: 'b:2' },
      { __meta_url: 'http://sd/targets', __address__: 'c:3' }
    ])
  })

  it('treats a missing or null target list as an empty group, as Prometheus does', () => {
    assert.deepEqual(parseTargetGroups([{ labels: { a: 'b' } }, { targets: null }], 'u'), [])
  })

  it('rejects documents that are not a list of groups, with the group index', () => {
    assert.throws(() => parseTargetGroups({ targets: [] }, 'u'), DiscoveryError)
    assert.throws(() => parseTargetGroups([{ targets: [1] }], 'u'), /target group 0: "targets" must be a list of strings/)
    assert.throws(() => parseTargetGroups([{ targets: [] }, { targets: ['x'], labels: { a: 1 } }], 'u'), /target group 1: label "a" must be a string/)
  })
})
