/**
 * What a push request is made of, prepared before it is sent: each profile's PushRequest encoding (once, for
 * every endpoint and attempt), a batch's body, and an endpoint's URL and headers (once, for every request).
 */
import { randomUUID } from 'node:crypto'
import type { RawSample } from '../receiver.js'
import type { EndpointArguments } from './arguments.js'
import { encodePushRequest } from './push-request.js'
import type { LabelPair } from './push-request.js'

export const PUSH_PATH = '/push.v1.PusherService/Push'

/** A profile ready to send: labels already prepared, PushRequest encoded once for every endpoint. */
export interface PreparedSeries {
  readonly labels: readonly LabelPair[]
  readonly body: Uint8Array
}

/** One request's worth of profiles and the body that carries them all. */
export interface PreparedPush {
  readonly series: readonly PreparedSeries[]
  readonly body: Uint8Array
}

/** Where and how an endpoint's requests go; the same for every request. */
export interface PushTarget {
  /** The full push URL (`pushUrl(base)`). */
  readonly url: string
  /** Every header of the request except Connect-Timeout-Ms, which follows `timeoutMs`. */
  readonly headers: Readonly<Record<string, string>>
  readonly timeoutMs: number
  readonly retryOn429: boolean
}

/** The endpoint arguments a target is built from. */
export interface PushTargetOptions extends Pick<EndpointArguments, 'url' | 'remote_timeout_ms' | 'headers'> {
  readonly userAgent: string
  /** Alloy's `retry_on_http_429`; default true. */
  readonly retry_on_http_429?: boolean
}

/**
 * Encodes a profile once for every endpoint and attempt. Each sample without a RawSample.ID gets a random
 * one (a given ID is kept, as Alloy passes it on): the bytes of every retry are then those of the first
 * attempt, and a receiver that stored a request whose answer was lost knows the retry for a replay instead
 * of storing it twice (docs/hostile-input.md, "All or nothing").
 */
export function prepareSeries(labels: readonly LabelPair[], samples: readonly RawSample[]): PreparedSeries {
  const named = samples.map((s) => (s.id !== undefined && s.id !== '' ? s : { raw: s.raw, id: randomUUID() }))
  return { labels, body: encodePushRequest([{ labels, samples: named }]) }
}

/**
 * The request for a batch: a PushRequest is a list of series, and concatenated PushRequest encodings are a
 * valid PushRequest holding all their series, so the profiles' own encodings are joined as they are.
 */
export function preparePush(batch: readonly PreparedSeries[]): PreparedPush {
  const body = batch.length === 1 ? (batch[0] as PreparedSeries).body : Buffer.concat(batch.map((b) => b.body))
  return { series: batch, body }
}

export function pushTarget(options: PushTargetOptions): PushTarget {
  return {
    url: pushUrl(options.url),
    headers: pushHeaders(options.userAgent, options.headers),
    timeoutMs: options.remote_timeout_ms,
    retryOn429: options.retry_on_http_429 ?? true
  }
}

/** `<url without trailing slash>/push.v1.PusherService/Push`: a path prefix in the URL is kept, as Alloy. */
export function pushUrl(base: string): string {
  return base.replace(/\/+$/, '') + PUSH_PATH
}

/** The request headers of an endpoint: Connect's, then the user agent, then the endpoint's own (which win). */
export function pushHeaders(userAgent: string, custom: Readonly<Record<string, string>>): Record<string, string> {
  return {
    'content-type': 'application/proto',
    'connect-protocol-version': '1',
    'user-agent': userAgent,
    ...custom
  }
}
