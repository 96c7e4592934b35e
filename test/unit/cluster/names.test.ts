import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { nameConflicts } from '../../../src/cluster/names.js'

describe('nameConflicts', () => {
  const claim = (peerId: string, name: string, startedAt: number): { peerId: string; name: string; startedAt: number } => ({ peerId, name, startedAt })

  it('leaves the earlier-started of two members with one name holding it, whatever the order', () => {
    const first = claim('P2', 'x', 100)
    const later = claim('P1', 'x', 200)
    for (const claims of [[first, later, claim('P3', 'y', 50)], [claim('P3', 'y', 50), later, first]]) {
      assert.deepEqual([...nameConflicts(claims)], [['P1', first]])
    }
  })

  it('breaks a tie of start times by the smaller peer id', () => {
    const claims = [claim('P9', 'x', 100), claim('P4', 'x', 100), claim('P7', 'x', 100)]
    const losers = nameConflicts(claims)
    assert.deepEqual([...losers.keys()].sort(), ['P7', 'P9'])
    for (const holder of losers.values()) assert.equal(holder.peerId, 'P4')
  })

  it('finds nothing when every name is unique', () => {
    assert.equal(nameConflicts([claim('P1', 'a', 1), claim('P2', 'b', 1)]).size, 0)
  })
})
