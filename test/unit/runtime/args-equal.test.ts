import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { argsEqual } from '../../../src/runtime/args-equal.js'
import { Capsule, Secret } from '../../../src/syntax/value.js'

describe('argsEqual', () => {
  it('sees a changed secret, which a structural comparison cannot (its value is a private field)', () => {
    assert.equal(argsEqual({ token: new Secret('a') }, { token: new Secret('a') }), true)
    assert.equal(argsEqual({ token: new Secret('a') }, { token: new Secret('b') }), false)
  })

  it('compares capsules by what they hold', () => {
    const receiver = {}
    assert.equal(argsEqual([new Capsule('R', receiver)], [new Capsule('R', receiver)]), true)
    assert.equal(argsEqual([new Capsule('R', receiver)], [new Capsule('R', {})]), false)
  })

  it('compares nested plain data deeply', () => {
    assert.equal(argsEqual({ a: [1, { b: 'x' }], n: null }, { a: [1, { b: 'x' }], n: null }), true)
    assert.equal(argsEqual({ a: [1, { b: 'x' }] }, { a: [1, { b: 'y' }] }), false)
    assert.equal(argsEqual({ a: 1 }, { a: 1, b: undefined }), false)
  })
})
