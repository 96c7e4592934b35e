import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { defaultCrypto } from '@chainsafe/libp2p-noise/crypto'
import { noiseCrypto } from '../../../src/cluster/noise-crypto.js'

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex')

describe('noiseCrypto', () => {
  it('agrees on every shared key with the default crypto, in both directions and with keys made by either', () => {
    for (let i = 0; i < 20; i++) {
      const ours = noiseCrypto.generateX25519KeyPair()
      const theirs = defaultCrypto.generateX25519KeyPair()
      const fromOurs = noiseCrypto.generateX25519SharedKey(ours.privateKey, theirs.publicKey)
      assert.equal(fromOurs.length, 32)
      assert.equal(hex(fromOurs), hex(defaultCrypto.generateX25519SharedKey(theirs.privateKey, ours.publicKey)), 'both ends derive the same secret')
      assert.equal(hex(fromOurs), hex(defaultCrypto.generateX25519SharedKey(ours.privateKey, theirs.publicKey)), 'our raw keys are the keys the default crypto reads')
      // A private key it did not make goes the default way.
      assert.equal(hex(noiseCrypto.generateX25519SharedKey(theirs.privateKey, ours.publicKey)), hex(fromOurs))
    }
  })

  it('takes the peer key as a list of chunks, as the handshake may pass it', () => {
    const a = noiseCrypto.generateX25519KeyPair()
    const b = noiseCrypto.generateX25519KeyPair()
    const chunks = { subarray: () => b.publicKey.slice() }
    const viaList = noiseCrypto.generateX25519SharedKey(a.privateKey, chunks as unknown as Uint8Array)
    assert.equal(hex(viaList), hex(noiseCrypto.generateX25519SharedKey(b.privateKey, a.publicKey)))
  })

  it('refuses a peer key that is not 32 bytes', () => {
    const a = noiseCrypto.generateX25519KeyPair()
    assert.throws(() => noiseCrypto.generateX25519SharedKey(a.privateKey, new Uint8Array(31)))
  })
})
