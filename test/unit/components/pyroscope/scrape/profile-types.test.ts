import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import {
  DEFAULT_PROFILE_TYPES,
  findProfileType,
  isClientDeltaType,
  isGodeltaprofType,
  publicProfileName
} from '../../../../../src/components/pyroscope/scrape/profile-types.js'

describe('DEFAULT_PROFILE_TYPES', () => {
  it('lists the nine built-in types in order, with the spec paths, switches and delta flags', () => {
    assert.deepEqual(
      DEFAULT_PROFILE_TYPES.map((t) => [t.name, t.path, t.enabled, t.delta]),
      [
        ['memory', '/debug/pprof/allocs', true, false],
        ['block', '/debug/pprof/block', true, false],
        ['goroutine', '/debug/pprof/goroutine', true, false],
        ['mutex', '/debug/pprof/mutex', true, false],
        ['process_cpu', '/debug/pprof/profile', true, true],
        ['fgprof', '/debug/fgprof', false, true],
        ['godeltaprof_memory', '/debug/pprof/delta_heap', false, false],
        ['godeltaprof_mutex', '/debug/pprof/delta_mutex', false, false],
        ['godeltaprof_block', '/debug/pprof/delta_block', false, false]
      ]
    )
  })

  it('cannot be changed by a caller', () => {
    assert.ok(Object.isFrozen(DEFAULT_PROFILE_TYPES))
    assert.ok(DEFAULT_PROFILE_TYPES.every((t) => Object.isFrozen(t)))
  })
})

describe('godeltaprof naming', () => {
  it('renames godeltaprof types to the plain type and leaves other names alone', () => {
    assert.equal(publicProfileName('godeltaprof_memory'), 'memory')
    assert.equal(publicProfileName('godeltaprof_mutex'), 'mutex')
    assert.equal(publicProfileName('godeltaprof_block'), 'block')
    assert.equal(publicProfileName('process_cpu'), 'process_cpu')
    assert.equal(publicProfileName('custom'), 'custom')
    assert.equal(isGodeltaprofType('godeltaprof_block'), true)
    assert.equal(isGodeltaprofType('block'), false)
  })

  it('needs client-side delta only for plain memory, mutex and block', () => {
    assert.deepEqual(
      DEFAULT_PROFILE_TYPES.filter((t) => isClientDeltaType(t.name)).map((t) => t.name),
      ['memory', 'block', 'mutex']
    )
  })

  it('finds a type by name whether it is enabled or not', () => {
    assert.equal(findProfileType(DEFAULT_PROFILE_TYPES, 'fgprof')?.delta, true)
    assert.equal(findProfileType(DEFAULT_PROFILE_TYPES, 'nope'), undefined)
  })
})
