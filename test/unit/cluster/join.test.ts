import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { isOwnAddress, resolveJoinAddress } from '../../../src/cluster/join.js'
import { joinBackoffMs } from '../../../src/cluster/swim/joiner.js'
import { explainDialError } from '../../../src/cluster/dial-errors.js'

describe('resolveJoinAddress', () => {
  it('turns IP host:port into a multiaddr without asking DNS', async () => {
    const resolver = (): Promise<never> => Promise.reject(new Error('DNS must not be asked'))
    assert.deepEqual(await resolveJoinAddress({ kind: 'host-port', host: '10.0.0.1', port: 5 }, resolver), ['/ip4/10.0.0.1/tcp/5'])
    assert.deepEqual(await resolveJoinAddress({ kind: 'host-port', host: '::1', port: 5 }, resolver), ['/ip6/::1/tcp/5'])
  })

  it('resolves a name on every call, to every address it has', async () => {
    let calls = 0
    const resolver = async (): Promise<{ address: string; family: number }[]> => {
      calls++
      return [{ address: `10.0.0.${calls}`, family: 4 }, { address: 'fd00::1', family: 6 }]
    }
    const first = await resolveJoinAddress({ kind: 'host-port', host: 'seed.local', port: 7 }, resolver)
    const second = await resolveJoinAddress({ kind: 'host-port', host: 'seed.local', port: 7 }, resolver)
    assert.deepEqual(first, ['/ip4/10.0.0.1/tcp/7', '/ip6/fd00::1/tcp/7'])
    assert.deepEqual(second[0], '/ip4/10.0.0.2/tcp/7')
  })

  it('keeps only the family a /dns4 multiaddr asks for', async () => {
    const resolver = async (): Promise<{ address: string; family: number }[]> => [{ address: '10.9.9.9', family: 4 }, { address: 'fd00::2', family: 6 }]
    assert.deepEqual(await resolveJoinAddress({ kind: 'multiaddr', text: '/dns4/seed/tcp/9' }, resolver), ['/ip4/10.9.9.9/tcp/9'])
  })
})

describe('join helpers', () => {
  it('recognises the node’s own address in the join list', () => {
    assert.equal(isOwnAddress('/ip4/127.0.0.1/tcp/5', [{ host: '127.0.0.1', port: 5 }]), true)
    assert.equal(isOwnAddress('/ip4/127.0.0.1/tcp/6', [{ host: '127.0.0.1', port: 5 }]), false)
  })

  it('retries every second ten times, then backs off doubling up to 30 s', () => {
    assert.deepEqual([0, 5, 9, 10, 11, 12, 13, 14, 20].map(joinBackoffMs), [1000, 1000, 1000, 2000, 4000, 8000, 16000, 30000, 30000])
  })

  it('explains an encryption failure as a probable pre-shared key mismatch', () => {
    assert.match(explainDialError('EncryptionFailedError: read ECONNRESET', true), /--cluster.psk-file/)
    assert.match(explainDialError('UnexpectedEOFError: Unexpected EOF', false), /--cluster.psk-file/)
    assert.match(explainDialError('TimeoutError: The operation was aborted due to timeout', true), /psk-file/)
    assert.doesNotMatch(explainDialError('TimeoutError: aborted', false), /psk/)
  })
})
