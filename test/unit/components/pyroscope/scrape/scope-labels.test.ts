/** otel.scope.* labels as Alloy's scrape loop adds them (`LabelsWithScope`, and its loop test's user-scope case). */
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { SCOPE_NAME, withScopeLabels } from '../../../../../src/components/pyroscope/scrape/scope-labels.js'
import { packageVersion } from '../../../../../src/http/user-agent.js'

describe('withScopeLabels', () => {
  it("adds shardscope's scope name and version to a target without a scope", () => {
    assert.equal(SCOPE_NAME, 'shardscope/pyroscope.scrape')
    assert.match(packageVersion(), /^\d+\.\d+\.\d+/)
    assert.deepEqual(withScopeLabels({ __name__: 'memory', service_name: 's' }), {
      __name__: 'memory',
      service_name: 's',
      'otel.scope.name': SCOPE_NAME,
      'otel.scope.version': packageVersion()
    })
  })

  it("keeps a target's own scope, and adds no version to a scope that is not shardscope's", () => {
    assert.deepEqual(withScopeLabels({ 'otel.scope.name': 'user-scope', 'otel.scope.version': 'user-version' }), {
      'otel.scope.name': 'user-scope',
      'otel.scope.version': 'user-version'
    })
    assert.deepEqual(withScopeLabels({ 'otel.scope.name': 'user-scope' }), { 'otel.scope.name': 'user-scope' })
  })

  it('adds no version when it is unknown, and returns the same object for the same labels', () => {
    assert.deepEqual(withScopeLabels({ a: 'b' }, 'unknown'), { a: 'b', 'otel.scope.name': SCOPE_NAME })
    const labels = Object.freeze({ a: 'b' })
    assert.equal(withScopeLabels(labels), withScopeLabels(labels))
  })
})
