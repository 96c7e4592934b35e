/** The flags of `shardscope run` (design.md section 8), parsed with node:util parseArgs. */
import type { ParseArgsConfig } from 'node:util'

export const RUN_FLAGS = {
  'server.http.listen-addr': { type: 'string', default: '127.0.0.1:12345' },
  'storage.path': { type: 'string', default: 'data' },
  'log.level': { type: 'string', default: 'info' },
  'log.format': { type: 'string', default: 'logfmt' },
  'log.summary-interval': { type: 'string', default: '1m' },
  'cluster.enabled': { type: 'boolean', default: false },
  'cluster.node-name': { type: 'string' },
  'cluster.listen-address': { type: 'string', default: '0.0.0.0:12346' },
  'cluster.advertise-address': { type: 'string' },
  'cluster.join-addresses': { type: 'string', default: '' },
  'cluster.name': { type: 'string', default: 'shardscope' },
  'cluster.psk-file': { type: 'string' },
  'cluster.wait-for-size': { type: 'string', default: '0' },
  'cluster.wait-timeout': { type: 'string', default: '0s' },
  'cluster.heartbeat-interval': { type: 'string', default: '1s' },
  'cluster.failure-timeout': { type: 'string', default: '5s' }
} as const satisfies NonNullable<ParseArgsConfig['options']>

export type RunFlags = { [K in keyof typeof RUN_FLAGS]?: string | boolean | undefined }
