/**
 * pyroscope.write arguments (Alloy's write.go; docs/components.md "pyroscope.write").
 *
 * shardscope additions: `retry_on_http_429` keeps Alloy's name and default (true), and `Retry-After` is honoured;
 * `queue_size` bounds the profiles held per endpoint while it is slow or down (default 1,000).
 */
import type { Diagnostic } from '../../../syntax/index.js'
import type { BlockSpec, DecodedBlock } from '../../../runtime/index.js'
import { t } from '../../../runtime/index.js'
import { moveUrlCredentials } from '../../common/index.js'
import { inertAttribute, inertBlock } from '../../common/index.js'
import type { HttpClientOptions } from '../../../http/index.js'
import type { Labels } from '../../../util/labels.js'
import { HTTP_CLIENT_ATTRIBUTES, HTTP_CLIENT_BLOCKS, spanOf, toHttpClientOptions, validateHttpClient, validateUrl } from '../../common/index.js'

export const DEFAULT_REMOTE_TIMEOUT_MS = 10_000
export const DEFAULT_MIN_BACKOFF_MS = 500
export const DEFAULT_MAX_BACKOFF_MS = 5 * 60_000
export const DEFAULT_MAX_BACKOFF_RETRIES = 10
export const DEFAULT_QUEUE_SIZE = 1_000

export interface EndpointArguments {
  readonly url: string
  readonly name: string
  readonly remote_timeout_ms: number
  readonly headers: Readonly<Record<string, string>>
  readonly min_backoff_ms: number
  readonly max_backoff_ms: number
  /** Total attempts, as Alloy; 0 = unlimited. */
  readonly max_backoff_retries: number
  readonly retry_on_http_429: boolean
  readonly queue_size: number
  readonly http_client: HttpClientOptions
}

export interface WriteArguments {
  readonly endpoints: readonly EndpointArguments[]
  readonly external_labels: Labels
}

const ENDPOINT_SCHEMA: BlockSpec = {
  attributes: {
    url: { type: t.string, required: true },
    name: { type: t.string },
    remote_timeout: { type: t.duration, default: DEFAULT_REMOTE_TIMEOUT_MS },
    headers: { type: t.map(t.string) },
    min_backoff_period: { type: t.duration, default: DEFAULT_MIN_BACKOFF_MS },
    max_backoff_period: { type: t.duration, default: DEFAULT_MAX_BACKOFF_MS },
    max_backoff_retries: { type: t.number, default: DEFAULT_MAX_BACKOFF_RETRIES },
    retry_on_http_429: { type: t.bool, default: true },
    queue_size: { type: t.number, default: DEFAULT_QUEUE_SIZE },
    debug_info_upload_timeout: inertAttribute('debug_info_upload_timeout', t.duration, 'debug info is not uploaded'),
    ...HTTP_CLIENT_ATTRIBUTES
  },
  blocks: HTTP_CLIENT_BLOCKS,
  validate: validateEndpoint
}

export const WRITE_SCHEMA: BlockSpec = {
  attributes: { external_labels: { type: t.map(t.string) } },
  blocks: { endpoint: { body: ENDPOINT_SCHEMA, multiple: true }, tracing: inertBlock('no trace context is propagated') }
}

function validateEndpoint(b: DecodedBlock): Diagnostic[] {
  const out = [...validateHttpClient(b), ...validateUrl(b, 'url', { allowCredentials: true })]
  const v = b.values
  if ((v['remote_timeout'] as number) <= 0) out.push({ span: spanOf(b, 'remote_timeout'), message: 'remote_timeout must be greater than 0' })
  const min = v['min_backoff_period'] as number
  const max = v['max_backoff_period'] as number
  if (min <= 0) out.push({ span: spanOf(b, 'min_backoff_period'), message: 'min_backoff_period must be greater than 0' })
  if (max < min) out.push({ span: spanOf(b, 'max_backoff_period'), message: 'max_backoff_period must not be smaller than min_backoff_period' })
  const retries = v['max_backoff_retries'] as number
  if (!Number.isInteger(retries) || retries < 0) out.push({ span: spanOf(b, 'max_backoff_retries'), message: 'max_backoff_retries must be a whole number >= 0' })
  const queue = v['queue_size'] as number
  if (!Number.isInteger(queue) || queue < 1) out.push({ span: spanOf(b, 'queue_size'), message: 'queue_size must be a whole number >= 1' })
  return out
}

export function toWriteArguments(v: Record<string, unknown>, label: string): WriteArguments {
  const endpoints = (v['endpoint'] as Record<string, unknown>[]).map((e, i) => {
    // Credentials in the URL become basic auth and leave the URL (docs/alloy-compatibility.md).
    const target = moveUrlCredentials(e['url'] as string, toHttpClientOptions(e))
    return Object.freeze({
      url: target.url.replace(/\/+$/, ''),
      name: (e['name'] as string | undefined) ?? `pyroscope.write.${label}.endpoint[${i}]`,
      remote_timeout_ms: e['remote_timeout'] as number,
      headers: (e['headers'] as Record<string, string> | undefined) ?? {},
      min_backoff_ms: e['min_backoff_period'] as number,
      max_backoff_ms: e['max_backoff_period'] as number,
      max_backoff_retries: e['max_backoff_retries'] as number,
      retry_on_http_429: e['retry_on_http_429'] as boolean,
      queue_size: e['queue_size'] as number,
      http_client: target.http_client
    })
  })
  return Object.freeze({
    endpoints: Object.freeze(endpoints),
    external_labels: (v['external_labels'] as Labels | undefined) ?? {}
  })
}
