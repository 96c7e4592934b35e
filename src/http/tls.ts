/**
 * `tls_config` → node TLS connect options. As in Prometheus: a configured CA replaces the system roots,
 * a client certificate needs both cert and key, `server_name` is used for SNI and for verifying the
 * server's certificate, and the minimum version defaults to TLS 1.2 (Go's default).
 * Files are read once, when the client is built; a component rebuilds its client when its config changes.
 */
import { readFileSync } from 'node:fs'
import type { SecureVersion } from 'node:tls'
import { HttpClientError } from './errors.js'
import type { TlsConfig, TlsVersion } from './types.js'

export interface TlsConnectOptions {
  readonly ca?: string[]
  readonly cert?: string
  readonly key?: string
  readonly servername?: string
  readonly rejectUnauthorized: boolean
  readonly minVersion: SecureVersion
}

const MIN_VERSIONS: Readonly<Record<TlsVersion, SecureVersion>> = {
  TLS10: 'TLSv1',
  TLS11: 'TLSv1.1',
  TLS12: 'TLSv1.2',
  TLS13: 'TLSv1.3'
}

export function tlsMinVersion(version: TlsVersion | undefined): SecureVersion {
  return MIN_VERSIONS[version ?? 'TLS12']
}

/** What `buildTlsOptions` needs from the outside world, so that the mapping itself is testable without files. */
export type ReadTextFile = (path: string) => string

const readTextFileSync: ReadTextFile = (path) => readFileSync(path, 'utf8')

export function buildTlsOptions(config: TlsConfig | undefined, readFile: ReadTextFile = readTextFileSync): TlsConnectOptions {
  if (config === undefined) return { rejectUnauthorized: true, minVersion: tlsMinVersion(undefined) }
  const ca = config.ca_pem ?? readOptional(config.ca_file, 'ca_file', readFile)
  const cert = config.cert_pem ?? readOptional(config.cert_file, 'cert_file', readFile)
  const key = config.key_pem?.reveal() ?? readOptional(config.key_file, 'key_file', readFile)
  if ((cert === undefined) !== (key === undefined)) {
    throw new HttpClientError('HTTP_TLS_CONFIG', 'tls_config: client authentication needs both a certificate (cert_pem or cert_file) and a key (key_pem or key_file)')
  }
  return {
    ...(ca !== undefined ? { ca: [ca] } : {}),
    ...(cert !== undefined && key !== undefined ? { cert, key } : {}),
    ...(config.server_name ? { servername: config.server_name } : {}),
    rejectUnauthorized: !config.insecure_skip_verify,
    minVersion: tlsMinVersion(config.min_version)
  }
}

function readOptional(path: string | undefined, attribute: string, readFile: ReadTextFile): string | undefined {
  if (path === undefined || path === '') return undefined
  try {
    return readFile(path)
  } catch (err) {
    const why = (err as NodeJS.ErrnoException).code ?? 'unreadable'
    throw new HttpClientError('HTTP_TLS_CONFIG', `tls_config: unable to read ${attribute} ${path}: ${why}`, { cause: err })
  }
}
