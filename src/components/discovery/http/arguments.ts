/** discovery.http arguments (Prometheus http_sd: url, refresh_interval, HTTP client options). */
import type { Diagnostic } from '../../../syntax/index.js'
import type { BlockSpec, DecodedBlock } from '../../../runtime/index.js'
import { t } from '../../../runtime/index.js'
import { moveUrlCredentials } from '../../common/index.js'
import type { HttpClientOptions } from '../../../http/index.js'
import { HTTP_CLIENT_ATTRIBUTES, HTTP_CLIENT_BLOCKS, spanOf, toHttpClientOptions, validateHttpClient, validateUrl } from '../../common/index.js'

export const DEFAULT_REFRESH_INTERVAL_MS = 60_000

export interface DiscoveryHttpArguments {
  readonly url: string
  readonly refresh_interval_ms: number
  readonly http_client: HttpClientOptions
}

export const DISCOVERY_HTTP_SCHEMA: BlockSpec = {
  attributes: {
    url: { type: t.string, required: true },
    refresh_interval: { type: t.duration, default: DEFAULT_REFRESH_INTERVAL_MS },
    ...HTTP_CLIENT_ATTRIBUTES
  },
  blocks: HTTP_CLIENT_BLOCKS,
  validate: (b: DecodedBlock): Diagnostic[] => {
    const out = [...validateHttpClient(b), ...validateUrl(b, 'url', { allowCredentials: true })]
    if ((b.values['refresh_interval'] as number) <= 0) {
      out.push({ span: spanOf(b, 'refresh_interval'), message: 'refresh_interval must be greater than 0' })
    }
    return out
  }
}

export function toDiscoveryHttpArguments(v: Record<string, unknown>): DiscoveryHttpArguments {
  // Credentials in the URL become basic auth and leave the URL (docs/alloy-compatibility.md).
  const target = moveUrlCredentials(v['url'] as string, toHttpClientOptions(v))
  return Object.freeze({
    url: target.url,
    refresh_interval_ms: v['refresh_interval'] as number,
    http_client: target.http_client
  })
}
