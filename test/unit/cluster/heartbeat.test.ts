import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { decodeHeartbeat, encodeHeartbeat, MAX_HEARTBEAT_BYTES } from '../../../src/cluster/heartbeat.js'
import type { Heartbeat } from '../../../src/cluster/heartbeat.js'

const PEER = '12D3KooWEcgtXWb2CQ8YQofsedHf86hDKvvWyDkZcdJ2RcajqepR'
const OTHER = '12D3KooWBZ7pzpzNY4V4hZUpmf8MpeCMJiwBGPzgFPPSMQrykFzM'
const good: Heartbeat = {
  v: 1,
  cluster: 'c1',
  peer_id: PEER,
  name: 'n1',
  http: '127.0.0.1:12345',
  addrs: ['/ip4/127.0.0.1/tcp/12346'],
  started_at: 1_700_000_000_000,
  seq: 3,
  state: 'participant',
  handoff_at: 1_700_000_003_000
}
const ctx = { cluster: 'c1', from: PEER }
const bytes = (o: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(o))

describe('decodeHeartbeat', () => {
  it('round-trips a heartbeat published by the peer it describes', () => {
    const decoded = decodeHeartbeat(encodeHeartbeat(good), ctx)
    assert.deepEqual(decoded, { ok: true, heartbeat: good })
  })

  const cases: [string, Uint8Array, string][] = [
    ['bytes that are not UTF-8 JSON', new Uint8Array([0xff, 0xfe, 0x00]), 'malformed'],
    ['a JSON array', bytes([good]), 'malformed'],
    ['another version', bytes({ ...good, v: 2 }), 'unsupported_version'],
    ['an unknown field', bytes({ ...good, extra: 1 }), 'invalid_field'],
    ['a negative seq', bytes({ ...good, seq: -1 }), 'invalid_field'],
    ['an unknown state', bytes({ ...good, state: 'leader' }), 'invalid_field'],
    ['a terminating node without a hand-off time', bytes({ ...good, state: 'terminating', handoff_at: undefined }), 'invalid_field'],
    ['an address that is not a multiaddr', bytes({ ...good, addrs: ['127.0.0.1:1'] }), 'invalid_field'],
    ['too many addresses', bytes({ ...good, addrs: Array.from({ length: 17 }, (_, i) => `/ip4/10.0.0.${i}/tcp/1`) }), 'invalid_field'],
    ['a name with a newline', bytes({ ...good, name: 'a\nb' }), 'invalid_field'],
    ['a peer id that is not base58', bytes({ ...good, peer_id: 'not a peer id' }), 'invalid_field'],
    ['another cluster', bytes({ ...good, cluster: 'c2' }), 'foreign_cluster'],
    ['a message over the size cap', new Uint8Array(MAX_HEARTBEAT_BYTES + 1).fill(0x20), 'oversized']
  ]
  for (const [what, input, reason] of cases) {
    it(`refuses ${what} as ${reason}`, () => {
      const decoded = decodeHeartbeat(input, ctx)
      assert.equal(decoded.ok, false)
      assert.equal(!decoded.ok && decoded.reason, reason)
    })
  }

  it('refuses a heartbeat about one peer signed by another as forged', () => {
    const decoded = decodeHeartbeat(encodeHeartbeat(good), { cluster: 'c1', from: OTHER })
    assert.equal(!decoded.ok && decoded.reason, 'forged')
  })

  it('keeps a real heartbeat far below the size cap', () => {
    assert.ok(encodeHeartbeat({ ...good, addrs: Array.from({ length: 4 }, (_, i) => `/ip6/fe80::${i}/tcp/12346`) }).byteLength < MAX_HEARTBEAT_BYTES / 4)
  })
})
