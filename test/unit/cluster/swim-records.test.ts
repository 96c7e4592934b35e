import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { BroadcastQueue } from '../../../src/cluster/swim/broadcasts.js'
import { decodeMessage, encodeMessage, MAX_SMALL_MESSAGE_BYTES } from '../../../src/cluster/swim/messages.js'
import type { MemberRecord } from '../../../src/cluster/swim/messages.js'
import { DigestSum, describeChange, supersedes } from '../../../src/cluster/swim/records.js'
import { suspicionBoundsMs, suspicionTimeoutMs } from '../../../src/cluster/swim/suspicion.js'
import { Suspicions } from '../../../src/cluster/swim/suspicions.js'
import { MemberTable } from '../../../src/cluster/swim/member-table.js'

const rec = (over: Partial<MemberRecord> = {}): MemberRecord => ({
  id: 'P1',
  name: 'n1',
  http: '',
  addrs: ['/ip4/10.0.0.1/tcp/1'],
  started_at: 100,
  incarnation: 1,
  status: 'alive',
  role: 'participant',
  handoff_at: 200,
  ...over
})

describe('member records', () => {
  it('orders records by run, then incarnation, then the graver status', () => {
    assert.equal(supersedes(rec({ started_at: 101, incarnation: 0 }), rec({ incarnation: 9 })), true, 'a newer run wins')
    assert.equal(supersedes(rec({ incarnation: 2 }), rec({ status: 'dead' })), true, 'a higher incarnation refutes a death')
    assert.equal(supersedes(rec({ status: 'suspect' }), rec()), true, 'suspect beats alive at one incarnation')
    assert.equal(supersedes(rec(), rec({ status: 'suspect' })), false, 'alive does not undo a suspicion without a new incarnation')
    assert.equal(supersedes(rec({ incarnation: 5 }), rec({ status: 'left' })), false, 'a member that left does not come back in its run')
    assert.equal(supersedes(rec({ incarnation: 0, status: 'dead' }), rec()), false, 'an older incarnation never wins')
  })

  it('tells a join, a role change, a suspicion and a death apart', () => {
    assert.equal(describeChange(undefined, rec()), 'joined')
    assert.equal(describeChange(rec({ role: 'viewer', handoff_at: 50 }), rec()), 'changed')
    assert.equal(describeChange(rec(), rec({ status: 'suspect' })), 'suspected')
    assert.equal(describeChange(rec({ status: 'suspect' }), rec({ incarnation: 2 })), 'recovered')
    assert.equal(describeChange(rec(), rec({ status: 'dead' })), 'failed')
    assert.equal(describeChange(rec({ status: 'dead' }), rec({ incarnation: 2 })), 'joined')
    const claim = { c: 'pyroscope.scrape.a', d: 'abc', at: 10 }
    assert.equal(describeChange(rec(), rec({ incarnation: 2, keys: [claim] })), 'changed', 'a new key-set claim re-plans')
    assert.equal(describeChange(rec({ keys: [claim] }), rec({ incarnation: 2, keys: [{ ...claim, d: 'abd', p: 'abc', at: 20 }] })), 'changed')
    assert.equal(describeChange(rec({ keys: [claim] }), rec({ incarnation: 2, keys: [{ ...claim }] })), 'refreshed')
  })

  it('keeps a digest that depends on the live records only, whatever the order', () => {
    const a = new DigestSum()
    const b = new DigestSum()
    const x = rec()
    const y = rec({ id: 'P2', name: 'n2' })
    a.add(x)
    a.add(y)
    b.add(y)
    b.add(x)
    b.add(rec({ id: 'P3', status: 'dead' }))
    assert.equal(a.value, b.value)
    a.remove(y)
    assert.notEqual(a.value, b.value)
  })
})

describe('membership messages', () => {
  it('round-trips a message and refuses foreign, oversized, malformed and invalid ones with a reason', () => {
    const ok = decodeMessage(encodeMessage('c', { type: 'gossip', updates: [rec()] }), 'c')
    assert.ok(ok.ok)
    const reason = (bytes: Uint8Array): string => {
      const r = decodeMessage(bytes, 'c')
      return r.ok ? 'ok' : r.reason
    }
    const text = (o: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(o))
    assert.equal(reason(encodeMessage('other', { type: 'ping', updates: [] })), 'foreign_cluster')
    assert.equal(reason(new Uint8Array([0x7b, 0xff])), 'malformed')
    assert.equal(reason(text({ v: 2, cluster: 'c', msg: { type: 'ping', updates: [] } })), 'unsupported_version')
    assert.equal(reason(text({ v: 1, cluster: 'c', msg: { type: 'ping', updates: [{ ...rec(), incarnation: -1 }] } })), 'invalid_field')
    assert.equal(reason(text({ v: 1, cluster: 'c', msg: { type: 'ping', updates: [{ ...rec(), extra: 1 }] } })), 'invalid_field')
    assert.equal(reason(text({ v: 1, cluster: 'c', msg: { type: 'gossip', updates: [], pad: 'x'.repeat(MAX_SMALL_MESSAGE_BYTES) } })), 'oversized')
    const claim = { c: 'pyroscope.scrape.a', d: 'k3x9', p: 'z1', at: 5 }
    assert.equal(reason(encodeMessage('c', { type: 'gossip', updates: [rec({ keys: [claim] })] })), 'ok')
    for (const keys of [
      [{ ...claim, d: 'NOT-A-DIGEST' }],
      [{ ...claim, at: -1 }],
      [{ ...claim, extra: 1 }],
      [claim, claim],
      Array.from({ length: 33 }, (_, i) => ({ ...claim, c: `c${i}` })),
      'abc'
    ]) {
      assert.equal(reason(text({ v: 1, cluster: 'c', msg: { type: 'gossip', updates: [{ ...rec(), keys }] } })), 'invalid_field', JSON.stringify(keys).slice(0, 60))
    }
  })
})

describe('broadcast queue', () => {
  it('sends the least-sent records first, replaces a member’s queued record, and drops each at its limit', () => {
    const q = new BroadcastQueue(1)
    q.enqueue(rec({ id: 'A' }))
    q.enqueue(rec({ id: 'B' }))
    assert.deepEqual(q.take(1, 9).map((r) => r.id), ['A'])
    q.enqueue(rec({ id: 'B', incarnation: 7 }))
    // Limit 1 × ⌈log10(10)⌉ = 1: A is gone after one send; B's newer record goes out once.
    assert.deepEqual(q.take(5, 9).map((r) => `${r.id}${r.incarnation}`), ['B7'])
    assert.equal(q.size, 0)
  })
})

describe('suspicion timeout', () => {
  it('starts at the maximum and shrinks to the minimum as confirmations arrive', () => {
    const bounds = suspicionBoundsMs(100, { suspicionMult: 4, suspicionMaxMult: 6, probeIntervalMs: 1_000, expectedConfirmations: 3 })
    assert.deepEqual(bounds, { minMs: 8_000, maxMs: 48_000 })
    assert.equal(suspicionTimeoutMs(0, bounds, 3), 48_000)
    assert.equal(suspicionTimeoutMs(3, bounds, 3), 8_000)
    const one = suspicionTimeoutMs(1, bounds, 3)
    assert.ok(one < 48_000 && one > 8_000)
  })
})

describe('suspicions', () => {
  const bounds = { minMs: 4_000, maxMs: 24_000 }
  const expiredBy = (s: Suspicions, nowMs: number): string[] => {
    const out: string[] = []
    s.expire(nowMs, bounds, 3, (id, incarnation) => out.push(`${id}@${incarnation}`))
    return out
  }

  it("expires a lone suspicion at Lifeguard's maximum, sooner with confirmations, and at once when shortened by a refusal", () => {
    const s = new Suspicions()
    s.follow(rec({ id: 'A', status: 'suspect', by: 'X' }), 0, undefined)
    s.follow(rec({ id: 'B', status: 'suspect', by: 'X' }), 0, undefined)
    s.follow(rec({ id: 'C', status: 'suspect', by: 'X' }), 0, undefined)
    for (const by of ['Y', 'Z', 'W']) s.confirm(rec({ id: 'B', status: 'suspect' }), by)
    s.shorten(rec({ id: 'C', status: 'suspect' }), 1_000, 1_000)
    assert.deepEqual(expiredBy(s, 1_999), [])
    assert.deepEqual(expiredBy(s, 2_000), ['C@1'], 'refused: 1 s from the refusal')
    assert.deepEqual(expiredBy(s, 3_999), [])
    assert.deepEqual(expiredBy(s, 4_000), ['B@1'], 'three confirmations: the minimum')
    assert.deepEqual(expiredBy(s, 23_999), [])
    assert.deepEqual(expiredBy(s, 24_000), ['A@1'], 'alone: the maximum')
  })

  it('ends a suspicion the member refuted, and ignores confirmations of another incarnation', () => {
    const s = new Suspicions()
    s.follow(rec({ id: 'A', status: 'suspect', by: 'X' }), 0, undefined)
    for (const by of ['Y', 'Z', 'W']) s.confirm(rec({ id: 'A', status: 'suspect', incarnation: 2 }), by)
    assert.deepEqual(expiredBy(s, 4_000), [], 'confirmations of incarnation 2 do not count for 1')
    s.follow(rec({ id: 'A', incarnation: 2 }), 5_000, undefined)
    assert.deepEqual(expiredBy(s, 100_000), [], 'refuted: nothing left to expire')
  })
})

describe('member table', () => {
  it('keeps live members, tombstones and the digest in step with the records put', () => {
    const self = rec({ id: 'S', name: 'self' })
    const table = new MemberTable(self, () => 0.5)
    assert.equal(table.put(rec({ id: 'A' }), 10), true, 'a new live member arrives')
    assert.equal(table.put(rec({ id: 'A', status: 'suspect' }), 20), false, 'a suspicion is no arrival')
    assert.equal(table.put(rec({ id: 'B' }), 30), true)
    assert.equal(table.size, 3)
    assert.deepEqual(table.randomLive(5, 'A').map((m) => m.id), ['B'])
    table.put(rec({ id: 'B', status: 'dead' }), 40)
    assert.equal(table.size, 2)
    assert.deepEqual(table.deadMembers().map((m) => m.id), ['B'])
    assert.equal(table.changedAt('B'), 40)

    const other = new MemberTable(self, () => 0.5)
    other.put(rec({ id: 'A', status: 'suspect' }), 0)
    assert.equal(other.digest, table.digest, 'the same live records give the same digest')

    table.forgetExpired(40 + 10 * 60_000 + 1, 10 * 60_000)
    assert.equal(table.get('B'), undefined, 'a tombstone past its retention is forgotten')
    assert.equal(table.put(rec({ id: 'B', started_at: 500 }), 50), true, 'a new run of a dead member arrives again')
  })
})
