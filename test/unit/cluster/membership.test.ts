import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { apply, drop, EMPTY_TABLE, expire, nameConflicts } from '../../../src/cluster/membership.js'
import type { Heartbeat } from '../../../src/cluster/heartbeat.js'

const beat = (over: Partial<Heartbeat> = {}): Heartbeat => ({
  v: 1,
  cluster: 'c',
  peer_id: 'P1',
  name: 'n1',
  http: '',
  addrs: [],
  started_at: 100,
  seq: 1,
  state: 'participant',
  handoff_at: 200,
  ...over
})

describe('membership reducer', () => {
  it('adds an unknown peer as joined and records when it was heard', () => {
    const r = apply(EMPTY_TABLE, beat(), 1000)
    assert.equal(r.outcome, 'joined')
    assert.equal(r.table.get('P1')?.lastSeenMs, 1000)
    assert.equal(EMPTY_TABLE.size, 0, 'the input table is not mutated')
  })

  it('ignores a heartbeat whose seq is not newer than the one it has, for the same run', () => {
    const t = apply(EMPTY_TABLE, beat({ seq: 5 }), 1000).table
    const again = apply(t, beat({ seq: 5 }), 2000)
    const older = apply(t, beat({ seq: 4 }), 2000)
    assert.equal(again.outcome, 'stale')
    assert.equal(older.outcome, 'stale')
    assert.equal(again.table.get('P1')?.lastSeenMs, 1000)
  })

  it('ignores heartbeats of an older run and treats a newer run as a new join', () => {
    const t = apply(EMPTY_TABLE, beat({ started_at: 500, seq: 9 }), 1000).table
    assert.equal(apply(t, beat({ started_at: 400, seq: 99 }), 2000).outcome, 'stale')
    assert.equal(apply(t, beat({ started_at: 600, seq: 1 }), 2000).outcome, 'joined')
  })

  it('tells a change of state or hand-off time from a plain refresh', () => {
    const t = apply(EMPTY_TABLE, beat({ seq: 1 }), 1000).table
    assert.equal(apply(t, beat({ seq: 2 }), 1100).outcome, 'refreshed')
    assert.equal(apply(t, beat({ seq: 2, state: 'terminating', handoff_at: 900 }), 1100).outcome, 'changed')
    assert.equal(apply(t, beat({ seq: 2, handoff_at: 300 }), 1100).outcome, 'changed')
  })

  it('expires only the members silent for longer than the failure timeout', () => {
    let t = apply(EMPTY_TABLE, beat({ peer_id: 'A' }), 1000).table
    t = apply(t, beat({ peer_id: 'B' }), 4000).table
    const r = expire(t, 6001, 5000)
    assert.deepEqual(r.expired.map((m) => m.peerId), ['A'])
    assert.deepEqual([...r.table.keys()], ['B'])
    assert.equal(expire(t, 6000, 5000).expired.length, 0)
  })

  it('drops a member at once and reports it, and does nothing for an unknown peer', () => {
    const t = apply(EMPTY_TABLE, beat(), 1000).table
    const r = drop(t, 'P1')
    assert.equal(r.dropped?.name, 'n1')
    assert.equal(r.table.size, 0)
    assert.equal(drop(r.table, 'P1').dropped, undefined)
  })
})

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
