/**
 * The noise handshake's X25519 through JWK keys (docs/cluster-protocol.md "Connections").
 *
 * @chainsafe/libp2p-noise's Node crypto rebuilds both keys from DER for every Diffie-Hellman, and OpenSSL 3
 * decodes DER slowly: ~0.56 ms for the private key and ~0.14 ms for the public one, against ~0.05 ms for the
 * exchange itself. Each side of a handshake does three of them, so a connection cost ~4 ms of CPU in key
 * decoding alone, much of what 24 nodes starting at once spend meeting each other. Here a key pair is
 * generated as key objects, whose private half is kept (by the identity of the bytes the handshake holds on
 * to) and whose public half is exported as JWK (~2 µs); the peer's public key is imported as JWK (~14 µs).
 * The bytes on the wire are the same: a node with the default crypto and one with this talk as before.
 */
import { createPublicKey, diffieHellman, generateKeyPairSync } from 'node:crypto'
import type { KeyObject } from 'node:crypto'
import { defaultCrypto } from '@chainsafe/libp2p-noise/crypto'
import type { ICryptoInterface } from '@chainsafe/libp2p-noise'

/** Private key objects by the raw private key handed to the handshake; gone with the handshake's key pair. */
const privateKeyObjects = new WeakMap<Uint8Array, KeyObject>()

/** The handshake passes a key as one array or as a list of chunks. */
function bytes(data: Uint8Array | { subarray(): Uint8Array }): Uint8Array {
  return data instanceof Uint8Array ? data : data.subarray()
}

function base64url(data: Uint8Array): string {
  return Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('base64url')
}

export const noiseCrypto: ICryptoInterface = {
  ...defaultCrypto,
  generateX25519KeyPair() {
    const { privateKey } = generateKeyPairSync('x25519')
    const jwk = privateKey.export({ format: 'jwk' })
    const pair = { publicKey: Buffer.from(jwk.x as string, 'base64url'), privateKey: Buffer.from(jwk.d as string, 'base64url') }
    privateKeyObjects.set(pair.privateKey, privateKey)
    return pair
  },
  generateX25519SharedKey(privateKey, publicKey) {
    const own = privateKey instanceof Uint8Array ? privateKeyObjects.get(privateKey) : undefined
    // A key this module did not make (none in practice): the default path decodes it.
    if (own === undefined) return defaultCrypto.generateX25519SharedKey(privateKey, publicKey)
    const peer = createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x: base64url(bytes(publicKey)) }, format: 'jwk' })
    return diffieHellman({ privateKey: own, publicKey: peer })
  }
}
