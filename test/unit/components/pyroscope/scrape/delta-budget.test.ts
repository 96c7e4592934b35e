import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { DeltaStateBudget } from '../../../../../src/components/pyroscope/scrape/delta-budget.js'

describe('DeltaStateBudget', () => {
  function budget(totalBytes: number) {
    const published: number[] = []
    return { published, budget: new DeltaStateBudget(totalBytes, (bytes) => published.push(bytes)) }
  }

  it('gives a target what the others leave of the total, its own old state replaced', () => {
    const { budget: b } = budget(100)
    const a = { deltaBytes: 0 }
    const c = { deltaBytes: 0 }
    b.record(a, 30)
    assert.equal(b.capFor(a), 100, 'its own state does not count against it')
    assert.equal(b.capFor(c), 70)
    b.record(c, 70)
    assert.equal(b.capFor(a), 30)
    b.record(a, 40)
    assert.equal(b.capFor(c), 60)
    assert.equal(b.heldBytes(), 110, 'a target may pass the total: the settling step drops it then')
    b.record(c, 100)
    assert.equal(b.capFor(a), 0, 'nothing left: the delta is skipped')
  })

  it('settles by what the others hold at the time, with the cap the delta was computed under', () => {
    const { budget: b } = budget(100)
    const a = { deltaBytes: 0 }
    const c = { deltaBytes: 0 }
    b.record(c, 10)
    const cap = b.capFor(a)
    b.record(c, 50)
    assert.deepEqual(b.settling(a, cap), { totalBytes: 100, otherTargetsBytes: 50, callBytes: 90 })
  })

  it('keeps the total and each holder’s share, and publishes only changes', () => {
    const { budget: b, published } = budget(100)
    const a = { deltaBytes: 0 }
    b.record(a, 20)
    b.record(a, 20)
    b.record(a, 0)
    assert.deepEqual(published, [20, 0])
    assert.equal(a.deltaBytes, 0)
    assert.equal(b.heldBytes(), 0)
  })
})
