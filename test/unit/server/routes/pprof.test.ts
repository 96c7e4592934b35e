import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { MAX_CPU_SECONDS, cpuSeconds } from '../../../../src/server/routes/pprof.js'

describe('cpuSeconds', () => {
  it('takes a positive whole number of seconds', () => {
    assert.equal(cpuSeconds('1'), 1)
    assert.equal(cpuSeconds('45'), 45)
  })

  it('means 30 seconds when absent, invalid or not positive, as Go does', () => {
    for (const raw of [null, '', '0', '-5', 'abc', '1.5']) assert.equal(cpuSeconds(raw), 30, String(raw))
  })

  it('caps long profiles', () => {
    assert.equal(cpuSeconds(String(MAX_CPU_SECONDS + 1)), MAX_CPU_SECONDS)
  })
})
