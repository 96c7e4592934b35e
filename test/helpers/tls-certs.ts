/**
 * A throw-away PKI for TLS tests, made in memory on first use (keys by node's crypto, which is fast;
 * certificates signed with node-forge). Nothing is written to disk unless a test writes it to a temp dir.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto'
import forge from 'node-forge'

export interface KeyPair {
  readonly certPem: string
  readonly keyPem: string
}

export interface TestPki {
  /** The CA that signs everything below except `selfSigned`. */
  readonly ca: KeyPair
  /** SAN 127.0.0.1, ::1 and localhost. */
  readonly server: KeyPair
  /** A client certificate for mTLS (extended key usage clientAuth). */
  readonly client: KeyPair
  /** SAN 127.0.0.1 and localhost, but expired yesterday. */
  readonly expired: KeyPair
  /** Valid only for `profiles.internal` (for server_name and hostname-mismatch tests). */
  readonly otherName: KeyPair
  /** A self-signed certificate for 127.0.0.1 that no CA vouches for. */
  readonly selfSigned: KeyPair
}

export const OTHER_NAME = 'profiles.internal'

const DAY_MS = 24 * 60 * 60 * 1000

let cached: TestPki | undefined

export function testPki(): TestPki {
  cached ??= createPki()
  return cached
}

function createPki(): TestPki {
  const ca = issue({ commonName: 'shardscope test CA', isCa: true })
  const localNames: AltName[] = [{ type: 7, ip: '127.0.0.1' }, { type: 7, ip: '::1' }, { type: 2, value: 'localhost' }]
  return {
    ca: ca.pair,
    server: issue({ commonName: 'localhost', altNames: localNames, issuer: ca, usage: 'serverAuth' }).pair,
    client: issue({ commonName: 'shardscope-client', issuer: ca, usage: 'clientAuth' }).pair,
    expired: issue({ commonName: 'localhost', altNames: localNames, issuer: ca, usage: 'serverAuth', notBefore: -30 * DAY_MS, notAfter: -DAY_MS }).pair,
    otherName: issue({ commonName: OTHER_NAME, altNames: [{ type: 2, value: OTHER_NAME }], issuer: ca, usage: 'serverAuth' }).pair,
    selfSigned: issue({ commonName: '127.0.0.1', altNames: localNames, usage: 'serverAuth' }).pair
  }
}

interface AltName {
  readonly type: number
  readonly value?: string
  readonly ip?: string
}

interface Issued {
  readonly pair: KeyPair
  readonly cert: forge.pki.Certificate
  readonly key: forge.pki.rsa.PrivateKey
}

interface IssueOptions {
  readonly commonName: string
  readonly altNames?: readonly AltName[]
  readonly issuer?: Issued
  readonly isCa?: boolean
  readonly usage?: 'serverAuth' | 'clientAuth'
  /** Offsets from now, in ms. */
  readonly notBefore?: number
  readonly notAfter?: number
}

function issue(options: IssueOptions): Issued {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
  const keyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()
  const key = forge.pki.privateKeyFromPem(keyPem)
  const cert = forge.pki.createCertificate()
  cert.publicKey = forge.pki.publicKeyFromPem(publicKey.export({ type: 'spki', format: 'pem' }).toString())
  // A positive serial: the high bit cleared so the DER integer is not negative.
  cert.serialNumber = `01${randomBytes(15).toString('hex')}`
  const now = Date.now()
  cert.validity.notBefore = new Date(now + (options.notBefore ?? -DAY_MS))
  cert.validity.notAfter = new Date(now + (options.notAfter ?? 30 * DAY_MS))
  const subject = [{ name: 'commonName', value: options.commonName }]
  cert.setSubject(subject)
  cert.setIssuer(options.issuer ? options.issuer.cert.subject.attributes : subject)
  const extensions: object[] = [{ name: 'basicConstraints', cA: options.isCa === true, critical: true }]
  if (options.isCa) {
    extensions.push({ name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true })
  } else {
    extensions.push({ name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true })
    extensions.push({ name: 'extKeyUsage', [options.usage ?? 'serverAuth']: true })
  }
  if (options.altNames) extensions.push({ name: 'subjectAltName', altNames: options.altNames })
  extensions.push({ name: 'subjectKeyIdentifier' })
  cert.setExtensions(extensions)
  cert.sign(options.issuer?.key ?? key, forge.md.sha256.create())
  return { pair: { certPem: forge.pki.certificateToPem(cert), keyPem }, cert, key }
}
