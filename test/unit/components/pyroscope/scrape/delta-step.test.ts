import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { Profile } from 'pprof-format'
import { settleDelta } from '../../../../../src/components/pyroscope/scrape/delta-step.js'
import { DeltaComputer, computeDelta, deltaValueTypesFor } from '../../../../../src/pprof/index.js'
import type { DeltaOutcome } from '../../../../../src/pprof/index.js'
import { heapSnapshots } from '../../../../helpers/heap-profiles.js'

const SCRAPED = new Uint8Array([1, 2, 3])
const [FIRST, SECOND] = heapSnapshots({ samples: 50, depth: 4, snapshots: 2, functions: 20 }) as [Profile, Profile]

function computer(): DeltaComputer {
  return new DeltaComputer({ valueTypes: deltaValueTypesFor('memory') ?? [] })
}

/** The outcome the check would bring back for `profile` (without gzipping the delta: not read here). */
function outcomeOf(delta: DeltaComputer, profile: Profile): DeltaOutcome {
  const step = computeDelta(profile, delta.input())
  return step.ok ? { ok: true, next: step.next, body: step.delta === undefined ? null : new Uint8Array([9]), samples: step.samples } : step
}

const ROOMY = { totalBytes: 1 << 30, otherTargetsBytes: 0, callBytes: 1 << 30 }

describe('settleDelta', () => {
  it('keeps the first scrape as the baseline, then sends the delta', () => {
    const delta = computer()
    assert.deepEqual(settleDelta(delta, outcomeOf(delta, FIRST), ROOMY, SCRAPED), { kind: 'baseline' })
    assert.deepEqual(settleDelta(delta, outcomeOf(delta, SECOND), ROOMY, SCRAPED), { kind: 'send', body: Buffer.from([9]) })
  })

  it('drops the baseline when other targets grew while this one was checked and the total would pass the budget', () => {
    const delta = computer()
    settleDelta(delta, outcomeOf(delta, FIRST), ROOMY, SCRAPED)
    const held = delta.stateBytes()
    const budget = { totalBytes: 10 * held, otherTargetsBytes: 9 * held + 1, callBytes: 10 * held }
    assert.deepEqual(settleDelta(delta, outcomeOf(delta, SECOND), budget, SCRAPED), {
      kind: 'fail',
      reason: `delta skipped: the component's delta state budget of ${10 * held} bytes is used by other targets`
    })
    assert.equal(delta.hasBaseline(), false)
  })

  it('says the budget was used up before the scrape when no delta was computed', () => {
    const delta = computer()
    settleDelta(delta, outcomeOf(delta, FIRST), ROOMY, SCRAPED)
    const verdict = settleDelta(delta, undefined, { totalBytes: 100, otherTargetsBytes: 100, callBytes: 0 }, SCRAPED)
    assert.deepEqual(verdict, { kind: 'fail', reason: "delta skipped: the component's delta state budget of 100 bytes is used by other targets" })
    assert.equal(delta.hasBaseline(), false)
  })

  it('sends a profile without cumulative types as scraped, and names a nearly used budget', () => {
    const delta = new DeltaComputer({ valueTypes: deltaValueTypesFor('mutex') ?? [] })
    assert.deepEqual(settleDelta(delta, outcomeOf(delta, FIRST), ROOMY, SCRAPED), { kind: 'send', body: SCRAPED })
    const small = computer()
    const verdict = settleDelta(small, computeDelta(FIRST, small.input({ maxStateBytes: 10 })) as DeltaOutcome, { totalBytes: 100, otherTargetsBytes: 90, callBytes: 10 }, SCRAPED)
    assert.deepEqual(verdict, {
      kind: 'fail',
      reason: "delta computation failed: delta state would exceed 10 bytes; baseline dropped (the component's delta state budget of 100 bytes is nearly used)"
    })
  })
})
