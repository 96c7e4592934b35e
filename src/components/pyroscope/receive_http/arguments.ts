/**
 * pyroscope.receive_http arguments (Alloy's component, plus shardscope's `storage_path`: a folder where every
 * received profile is stored with an index line, so that a single machine needs no external server).
 */
import type { Diagnostic } from '../../../syntax/index.js'
import type { BlockSpec, DecodedBlock } from '../../../runtime/index.js'
import { t } from '../../../runtime/index.js'
import type { Capsule } from '../../../syntax/index.js'
import { spanOf } from '../../common/index.js'
import { inertAttribute, inertBlock } from '../../common/index.js'
import type { ProfilesReceiver } from '../receiver.js'
import { PROFILES_RECEIVER_TYPE } from '../receiver.js'

export const DEFAULT_LISTEN_ADDRESS = '0.0.0.0'
export const DEFAULT_LISTEN_PORT = 8080

export interface ReceiveHttpArguments {
  readonly listen_address: string
  readonly listen_port: number
  readonly forward_to: readonly Capsule<ProfilesReceiver>[]
  readonly storage_path: string | undefined
}

export const RECEIVE_HTTP_SCHEMA: BlockSpec = {
  attributes: {
    forward_to: { type: t.list(t.capsule(PROFILES_RECEIVER_TYPE)), default: [] },
    storage_path: { type: t.string },
    // Alloy's server knobs: the receive server has its own bounds (body size, concurrent pushes).
    graceful_shutdown_timeout: inertAttribute('graceful_shutdown_timeout', t.duration, 'open pushes are ended when the component stops'),
    debug_info_upload_timeout: inertAttribute('debug_info_upload_timeout', t.duration, 'debug info uploads are not served')
  },
  blocks: {
    grpc: inertBlock('no separate gRPC server is started: gRPC pushes are served on the http port over cleartext HTTP/2, as Alloy serves them'),
    http: {
      body: {
        attributes: {
          listen_address: { type: t.string, default: DEFAULT_LISTEN_ADDRESS },
          listen_port: { type: t.number, default: DEFAULT_LISTEN_PORT },
          conn_limit: inertAttribute('conn_limit', t.number, 'concurrent pushes are bounded instead (8 at once; more are answered 503)'),
          server_read_timeout: inertAttribute('server_read_timeout', t.duration, "Node's default request timeouts apply"),
          server_write_timeout: inertAttribute('server_write_timeout', t.duration, "Node's default request timeouts apply"),
          server_idle_timeout: inertAttribute('server_idle_timeout', t.duration, "Node's default keep-alive timeout applies")
        },
        blocks: {
          http2: inertBlock('cleartext HTTP/2 is always on for gRPC pushes (Alloy forces it on too); its tuning knobs are not used'),
          // Serving plaintext where TLS was asked for would be a silent downgrade: refused instead.
          tls: { body: { attributes: {} }, unsupported: 'tls is not supported by pyroscope.receive_http: terminate TLS in front of it' }
        },
        validate: (b) => {
          const port = b.values['listen_port'] as number
          return Number.isInteger(port) && port >= 0 && port <= 65535
            ? []
            : [{ span: spanOf(b, 'listen_port'), message: `listen_port must be a whole number between 0 and 65535, got ${port}` }]
        }
      }
    }
  },
  validate: (b: DecodedBlock): Diagnostic[] => {
    const forward = b.values['forward_to'] as unknown[]
    const storage = b.values['storage_path']
    return forward.length === 0 && (storage === undefined || storage === '')
      ? [{ span: b.blockSpan, message: 'at least one of forward_to or storage_path must be configured' }]
      : []
  }
}

export function toReceiveHttpArguments(v: Record<string, unknown>): ReceiveHttpArguments {
  const http = v['http'] as { listen_address: string; listen_port: number } | undefined
  return Object.freeze({
    listen_address: http?.listen_address ?? DEFAULT_LISTEN_ADDRESS,
    listen_port: http?.listen_port ?? DEFAULT_LISTEN_PORT,
    forward_to: v['forward_to'] as Capsule<ProfilesReceiver>[],
    storage_path: v['storage_path'] as string | undefined
  })
}
