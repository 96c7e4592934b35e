import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { INVALID_LABELS_PREFIX, prepareLabels, validateLabelList } from '../../../../../src/components/pyroscope/write/labels.js'

describe('prepareLabels', () => {
  it("gives Alloy's write case: __type__ dropped, external foo overrides, sorted by name (plus the required service_name)", () => {
    const result = prepareLabels(
      { __name__: 'test', __type__: 'type', job: 'foo', foo: 'bar', service_name: 'svc' },
      { foo: 'buzz' }
    )
    assert.deepEqual(result, {
      ok: true,
      labels: [
        ['__name__', 'test'],
        ['foo', 'buzz'],
        ['job', 'foo'],
        ['service_name', 'svc']
      ]
    })
  })

  it('keeps __name__ and __delta__ and drops every other __ label', () => {
    const result = prepareLabels(
      { __name__: 'memory', __delta__: 'false', __address__: 'a:1', __meta_x: 'y', __scheme__: 'http', service_name: 's' },
      {}
    )
    assert.ok(result.ok)
    assert.deepEqual(
      result.labels.map(([name]) => name),
      ['__delta__', '__name__', 'service_name']
    )
  })

  it('refuses a profile without service_name', () => {
    const result = prepareLabels({ __name__: 'cpu', job: 'j' }, {})
    assert.deepEqual(result, { ok: false, reason: `${INVALID_LABELS_PREFIX}service name is required` })
  })

  it('refuses an empty service_name as missing', () => {
    const result = prepareLabels({ service_name: '' }, {})
    assert.equal(result.ok, false)
  })

  it('accepts a service_name that only external_labels provide', () => {
    const result = prepareLabels({ __name__: 'cpu' }, { service_name: 'from-config' })
    assert.ok(result.ok)
    assert.deepEqual(result.labels, [
      ['__name__', 'cpu'],
      ['service_name', 'from-config']
    ])
  })

  it('refuses no labels at all with "service name is required", as Alloy', () => {
    assert.deepEqual(prepareLabels({}, { service_name: 'x' }), {
      ok: false,
      reason: `${INVALID_LABELS_PREFIX}service name is required`
    })
  })

  it('refuses a duplicate label name in a list', () => {
    const result = prepareLabels(
      [
        ['__name__', 'a'],
        ['service_name', 's'],
        ['__name__', 'b']
      ],
      {}
    )
    assert.equal(result.ok, false)
    assert.ok(!result.ok && result.reason.startsWith(`${INVALID_LABELS_PREFIX}duplicate label name: __name__`), JSON.stringify(result))
  })

  it('refuses invalid-label-name, naming it', () => {
    const result = prepareLabels({ service_name: 's', 'invalid-label-name': 'v' }, {})
    assert.equal(result.ok, false)
    assert.ok(!result.ok && result.reason.startsWith(`${INVALID_LABELS_PREFIX}invalid label name`))
    assert.ok(!result.ok && result.reason.includes('invalid-label-name'))
  })

  it('validates the incoming labels before dropping __ ones, as Alloy', () => {
    const result = prepareLabels({ service_name: 's', '__bad-name__': 'v' }, {})
    assert.equal(result.ok, false)
  })

  it('refuses a value that is not valid Unicode (a lone surrogate, what invalid UTF-8 becomes)', () => {
    const result = prepareLabels({ service_name: 's', job: 'bad\uD800value' }, {})
    assert.ok(!result.ok && result.reason.includes('invalid label value for job'))
  })

  it('accepts dots, digits and underscores in names and any valid Unicode in values', () => {
    const result = prepareLabels({ service_name: 'valid-utf8-值-🚀', 'otel.scope.name': 'x', _9: 'value\nwith\ttabs' }, {})
    assert.ok(result.ok)
  })

  it('does not mutate its inputs', () => {
    const labels = Object.freeze({ service_name: 's', __x: '1' })
    const external = Object.freeze({ env: 'prod' })
    prepareLabels(labels, external)
    assert.deepEqual(labels, { service_name: 's', __x: '1' })
  })
})

describe('validateLabelList', () => {
  it('accepts a valid list and reports the first problem of an invalid one', () => {
    assert.equal(validateLabelList([['service_name', 's']]), undefined)
    assert.equal(validateLabelList([['', 'x']]), 'invalid label name: ""')
  })
})
